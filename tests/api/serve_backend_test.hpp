// A test that runs on both backends (tests/storage/backend_fixture.hpp) and starts
// `aurite serve` processes on the demo project with this test's database.
#pragma once

#include <map>
#include <string>

#include "api/serve_process.hpp"
#include "storage/backend_fixture.hpp"

namespace aurite::testing {

class ServeBackendTest : public BackendTest {
 protected:
  // demo_env() with the variables that reach this test's database.
  std::map<std::string, std::string> env() const {
    auto all = demo_env();
    for (const auto& [name, value] : db_env()) all[name] = value;
    return all;
  }
};

}  // namespace aurite::testing
