#include "modelc/parallel.hpp"
