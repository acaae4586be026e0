#include "modelc/dense.hpp"
