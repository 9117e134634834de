// A program outside the project that uses the installed library.
#include <aurite/config/project_file.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const auto loaded = aurite::config::load_project_file(argv[1]);
  std::cout << "agents: " << loaded.project.agents.size() << '\n';
  return 0;
}
