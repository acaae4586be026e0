#include "modelc/maxpool.hpp"
