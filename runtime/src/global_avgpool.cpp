#include "modelc/global_avgpool.hpp"
