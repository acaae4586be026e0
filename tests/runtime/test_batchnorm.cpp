#include <doctest/doctest.h>

#include "modelc/batchnorm.hpp"
