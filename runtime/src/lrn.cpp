#include "modelc/lrn.hpp"
