// How tests print a DbType: "sqlite" / "postgresql" rather than bytes. Every test file
// that prints a DbType (EXPECT_EQ on one, TEST_P names) includes this, so all of them
// agree on the printer.
#pragma once

#include <ostream>

#include "aurite/storage/settings.hpp"

namespace aurite::storage {
inline void PrintTo(DbType type, std::ostream* out) { *out << to_string(type); }
}  // namespace aurite::storage
