#include "modelc/relu.hpp"
