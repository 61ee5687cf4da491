// counter_service: the counter service as a value, for main.cpp and the tests (counter_test.cpp).
#pragma once

#include "plugnode/app/service.hpp"

plugnode::app::service counter_service();
