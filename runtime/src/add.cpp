#include "modelc/add.hpp"
