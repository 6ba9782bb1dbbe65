#include "app/admin_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "account/accounts.h"
#include "account/password.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/text.h"
#include "store/store.h"

namespace tocsin::app {
namespace {

struct AdminFlags {
  std::string config_path;
  std::string data_dir;
  std::string email;
  std::string name;
  bool admin = false;
  bool enable = false;
  std::string backup_path;
  CLI::App* create_user = nullptr;
  CLI::App* reset_password = nullptr;
  CLI::App* list_users = nullptr;
  CLI::App* disable_user = nullptr;
  CLI::App* backup = nullptr;
};

AdminFlags& Flags() {
  static AdminFlags flags;  // owned by the one parse of this process's command line
  return flags;
}

Result<std::unique_ptr<store::Store>> OpenStore() {
  const AdminFlags& f = Flags();
  const config::Environment env = config::ProcessEnvironment();
  auto config = f.config_path.empty() ? config::DefaultConfig(env)
                                      : config::LoadConfigFile(f.config_path, env);
  if (!config.ok()) return config.error();
  if (!f.data_dir.empty()) {
    if (Status s = config::OverrideServerSetting(config->server, "data_dir", f.data_dir); !s.ok()) {
      return InvalidArgument("--data-dir: " + s.error().message);
    }
  }
  return store::OpenSqliteStore({.path = config->server.data_dir + "/tocsin.db"});
}

// The new password: one line on standard input (never an argument, which
// other users of the machine could read in the process list).
Result<std::string> ReadPassword() {
  if (isatty(STDIN_FILENO)) std::fprintf(stderr, "New password: ");
  std::string line;
  if (!std::getline(std::cin, line)) {
    return InvalidArgument("give the password on standard input (one line)");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int Fail(const Error& e) {
  std::fprintf(stderr, "tocsin admin: %s\n", e.message.c_str());
  return e.code == ErrorCode::kInvalidArgument || e.code == ErrorCode::kNotFound ? 2 : 1;
}

Result<model::User> FindUser(store::Store& store, const std::string& email) {
  auto user = store.accounts().FindUserByEmail(account::Accounts::NormalizeEmail(email));
  if (!user.ok()) return user.error();
  if (!*user) return NotFound("no user with the address " + email);
  return **user;
}

int CreateUser(store::Store& store) {
  const AdminFlags& f = Flags();
  const std::string email = account::Accounts::NormalizeEmail(f.email);
  if (!IsEmailAddress(email)) return Fail(InvalidArgument("--email: not an email address"));
  if (f.name.empty() || f.name.size() > 200) {
    return Fail(InvalidArgument("--name: 1 to 200 characters"));
  }
  auto password = ReadPassword();
  if (!password.ok()) return Fail(password.error());
  if (Status s = account::CheckNewPassword(*password, false, {f.name, email}); !s.ok()) {
    return Fail(s.error());
  }
  auto hash = account::HashPassword(*password);
  if (!hash.ok()) return Fail(hash.error());
  auto count = store.accounts().CountUsers();
  if (!count.ok()) return Fail(count.error());
  const int64_t now_ms = UnixMicros() / 1000;
  model::User user;
  user.email = email;
  user.name = f.name;
  user.password_hash = *hash;
  user.password_changed_ms = now_ms;
  user.email_confirmed_ms = now_ms;  // the operator vouches for the address
  user.admin = f.admin || *count == 0;
  auto created = store.accounts().CreateUser(user);
  if (!created.ok()) return Fail(created.error());
  std::printf("created user %lld <%s>%s\n", static_cast<long long>(created->id),
              created->email.c_str(), created->admin ? " (administrator)" : "");
  return 0;
}

int ResetPassword(store::Store& store) {
  auto user = FindUser(store, Flags().email);
  if (!user.ok()) return Fail(user.error());
  auto password = ReadPassword();
  if (!password.ok()) return Fail(password.error());
  if (Status s =
          account::CheckNewPassword(*password, user->totp_enabled, {user->name, user->email});
      !s.ok()) {
    return Fail(s.error());
  }
  auto hash = account::HashPassword(*password);
  if (!hash.ok()) return Fail(hash.error());
  user->password_hash = *hash;
  user->password_changed_ms = UnixMicros() / 1000;
  if (Status s = store.accounts().UpdateUser(*user); !s.ok()) return Fail(s.error());
  if (Status s = store.accounts().DeleteSessionsOf(user->id, ""); !s.ok()) return Fail(s.error());
  std::printf("password of %s reset; every session of the user ended\n", user->email.c_str());
  return 0;
}

int ListUsers(store::Store& store) {
  auto users = store.accounts().ListUsers();
  if (!users.ok()) return Fail(users.error());
  std::printf("%-6s %-40s %-30s %s\n", "ID", "EMAIL", "NAME", "FLAGS");
  for (const model::User& u : *users) {
    std::string flags;
    if (u.admin) flags += "admin ";
    if (u.email_confirmed_ms == 0) flags += "unconfirmed ";
    if (u.disabled) flags += "disabled ";
    if (u.totp_enabled) flags += "2fa ";
    std::printf("%-6lld %-40s %-30s %s\n", static_cast<long long>(u.id), u.email.c_str(),
                std::string(Utf8Prefix(u.name, 30)).c_str(), flags.c_str());
  }
  return 0;
}

int DisableUser(store::Store& store) {
  auto user = FindUser(store, Flags().email);
  if (!user.ok()) return Fail(user.error());
  user->disabled = !Flags().enable;
  if (Status s = store.accounts().UpdateUser(*user); !s.ok()) return Fail(s.error());
  if (user->disabled) {
    if (Status s = store.accounts().DeleteSessionsOf(user->id, ""); !s.ok()) return Fail(s.error());
    std::printf(
        "%s is disabled: logins, sessions and tokens refused from now; their monitors stop at "
        "the server's next reload (SIGHUP) or restart\n",
        user->email.c_str());
  } else {
    std::printf("%s is enabled again\n", user->email.c_str());
  }
  return 0;
}

}  // namespace

CLI::App* AddAdminCommand(CLI::App& app) {
  AdminFlags& f = Flags();
  CLI::App* cmd = app.add_subcommand("admin", "Operator's commands on the store");
  cmd->require_subcommand(1);
  cmd->add_option("-c,--config", f.config_path, "YAML config file (for its data_dir)");
  cmd->add_option("--data-dir", f.data_dir, "Data directory (overrides config)");
  f.create_user = cmd->add_subcommand(
      "create-user", "Create a confirmed user; the password is read from standard input");
  f.create_user->add_option("--email", f.email, "Address")->required();
  f.create_user->add_option("--name", f.name, "Name")->required();
  f.create_user->add_flag("--admin", f.admin, "Make an administrator (the first user always is)");
  f.reset_password = cmd->add_subcommand(
      "reset-password", "Set a user's password (read from standard input); ends their sessions");
  f.reset_password->add_option("--email", f.email, "Address")->required();
  f.list_users = cmd->add_subcommand("list-users", "List the users");
  f.disable_user =
      cmd->add_subcommand("disable-user", "Refuse a user's logins, sessions and tokens");
  f.disable_user->add_option("--email", f.email, "Address")->required();
  f.disable_user->add_flag("--enable", f.enable, "Enable the user again instead");
  f.backup = cmd->add_subcommand("backup", "Copy the store to a new file while it runs");
  f.backup->add_option("--to", f.backup_path, "The new file")->required();
  return cmd;
}

int RunAdmin() {
  if (Status s = account::InitCrypto(); !s.ok()) return Fail(s.error());
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.error());
  const AdminFlags& f = Flags();
  if (f.create_user->parsed()) return CreateUser(**store);
  if (f.reset_password->parsed()) return ResetPassword(**store);
  if (f.list_users->parsed()) return ListUsers(**store);
  if (f.disable_user->parsed()) return DisableUser(**store);
  if (f.backup->parsed()) {
    if (Status s = (*store)->Backup(f.backup_path); !s.ok()) return Fail(s.error());
    std::printf("backup written to %s\n", f.backup_path.c_str());
    return 0;
  }
  return 2;
}

}  // namespace tocsin::app
