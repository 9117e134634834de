#include "common/program_location.hpp"

namespace aurite::detail {

std::filesystem::path running_program_folder() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) return {};
  return exe.parent_path();
}

}  // namespace aurite::detail
