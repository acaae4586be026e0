#include <doctest/doctest.h>

#include "modelc/global_avgpool.hpp"
