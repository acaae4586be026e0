#include "modelc/optim.hpp"
