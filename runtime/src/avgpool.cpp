#include "modelc/avgpool.hpp"
