#include "modelc/dropout.hpp"
