#include "modelc/loss.hpp"
