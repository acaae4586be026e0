#include "modelc/safetensors.hpp"
