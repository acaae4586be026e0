#include <doctest/doctest.h>

#include "modelc/optim.hpp"
