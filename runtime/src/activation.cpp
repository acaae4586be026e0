#include "modelc/activation.hpp"
