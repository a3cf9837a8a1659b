#pragma once
// How a failed BOOST_TEST prints sluice's named types (offsets, leader
// epochs, node ids): Boost.Test finds boost_test_print_type through ADL.
#include <ostream>

#include "common/base/named_type.h"

namespace sluice {

template <class T, class Tag>
std::ostream& boost_test_print_type(std::ostream& os, const named_type<T, Tag>& v) {
  return os << v();
}

}  // namespace sluice
