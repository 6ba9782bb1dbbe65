// tocsin: one binary, several roles (see docs/architecture.md).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/admin_command.h"
#include "app/check_command.h"
#include "app/serve_command.h"

int main(int argc, char** argv) {
  CLI::App app{"Tocsin: self-hosted website monitoring"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tocsin 0.1.0");
  CLI::App* check = tocsin::app::AddCheckCommand(app);
  CLI::App* serve = tocsin::app::AddServeCommand(app);
  CLI::App* admin = tocsin::app::AddAdminCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (check->parsed()) return tocsin::app::RunCheck();
  if (serve->parsed()) return tocsin::app::RunServe();
  if (admin->parsed()) return tocsin::app::RunAdmin();
  return 2;
}
