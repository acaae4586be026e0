#include "modelc/batchnorm.hpp"
