#include "modelc/tanh.hpp"
