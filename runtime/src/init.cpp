#include "modelc/init.hpp"
