#include "modelc/zeropad.hpp"
