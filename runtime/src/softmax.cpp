#include "modelc/softmax.hpp"
