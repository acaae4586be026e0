#include "modelc/conv2d.hpp"
