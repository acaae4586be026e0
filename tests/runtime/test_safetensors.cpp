#include <doctest/doctest.h>

#include "modelc/safetensors.hpp"
