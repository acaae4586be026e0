#include "modelc/concat.hpp"
