#include "modelc/sigmoid.hpp"
