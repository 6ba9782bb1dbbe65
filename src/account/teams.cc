// Teams and the contact address: invitations and address changes go by
// mailed single-use links, as confirmation does. Part of Accounts.
#include <algorithm>

#include "account/accounts.h"
#include "account/password.h"
#include "core/crypto.h"
#include "core/text.h"

namespace tocsin::account {
namespace {

constexpr size_t kTokenBytes = 32;
constexpr size_t kMaxTeamName = 100;

}  // namespace

Status Accounts::RequestEmailChange(const Principal& p, std::string_view password,
                                    std::string_view raw_email, int64_t now_ms) {
  if (Status s = CheckPassword(p.user.password_hash, password, "password"); !s.ok()) return s;
  const std::string email = NormalizeEmail(raw_email);
  if (!IsEmailAddress(email)) return InvalidField("email", "this is not an email address");
  if (email == p.user.email) return InvalidField("email", "this is your address already");
  auto taken = store_.accounts().FindUserByEmail(email);
  if (!taken.ok()) return taken.error();
  if (*taken) {
    return Mail(
        email, "Someone tried to move a Tocsin account to your address",
        "Someone asked to change the address of a Tocsin account at " + options_.public_url +
            " to this one, which has an account already. Nothing was changed.\n",
        "email-taken-" + std::to_string((*taken)->id) + "-" + std::to_string(now_ms / 3'600'000));
  }
  const std::string token = Base64UrlEncode(RandomBytes(kTokenBytes));
  model::OneTimeLink link;
  link.hash = HashSecret(token);
  link.kind = model::LinkKind::kChangeEmail;
  link.user = p.user.id;
  link.email = email;
  link.created_ms = now_ms;
  link.expires_ms = now_ms + options_.confirm_link / 1000;
  if (Status s = store_.accounts().PutLink(link); !s.ok()) return s;
  if (Status s =
          Mail(email, "Confirm your new Tocsin address",
               "Hello " + p.user.name + ",\n\nConfirm this address for your Tocsin account:\n\n" +
                   options_.public_url + "/email/" + token +
                   "\n\nThe link works once, within 48 hours. Until then your alerts "
                   "and account mail go to the old address.\n",
               "email-change-" + std::to_string(p.user.id) + "-" + std::to_string(now_ms));
      !s.ok()) {
    return s;
  }
  return Mail(p.user.email, "Your Tocsin address is about to change",
              "Someone (you, we hope) asked to change the address of your Tocsin account to " +
                  email +
                  ". It changes when the link mailed there is followed.\n\nIf this was not you, "
                  "change your password now: the address stays as it is.\n",
              "email-change-old-" + std::to_string(p.user.id) + "-" + std::to_string(now_ms));
}

Result<model::User> Accounts::ConfirmEmailChange(std::string_view token, int64_t now_ms) {
  auto link = store_.accounts().UseLink(HashSecret(token), model::LinkKind::kChangeEmail, now_ms);
  if (!link.ok()) return link.error();
  auto user = store_.accounts().GetUser(link->user);
  if (!user.ok()) return user.error();
  if (!*user) return NotFound("this account no longer exists");
  model::User u = **user;
  const std::string old_email = u.email;
  u.email = link->email;
  u.email_confirmed_ms = now_ms;
  if (Status s = store_.accounts().UpdateUser(u); !s.ok()) {
    if (s.error().field == "email") {
      return Error{ErrorCode::kConflict, "this address has an account now"};
    }
    return s.error();
  }
  if (Status s = Mail(old_email, "Your Tocsin address was changed",
                      "The address of your Tocsin account is now " + u.email +
                          ". Mail about the account and its alerts goes there.\n",
                      "email-changed-" + std::to_string(u.id) + "-" + std::to_string(now_ms));
      !s.ok()) {
    return s.error();
  }
  return u;
}

Result<model::Workspace> Accounts::CreateTeam(const Principal& p, std::string name) {
  if (name.empty() || name.size() > kMaxTeamName ||
      std::any_of(name.begin(), name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return InvalidField("name", "a team's name must be 1 to 100 characters");
  }
  if (p.token) return PermissionDenied("teams are made from a login, not with a token");
  return store_.accounts().CreateWorkspace(name, p.user.id);
}

Result<model::Workspace> Accounts::OwnedTeam(const Principal& p, model::WorkspaceId team) {
  auto w = store_.accounts().GetWorkspace(team);
  if (!w.ok()) return w.error();
  auto role = RoleIn(p, team);
  if (!*w || !role.ok()) return NotFound("no such team");
  if ((*w)->personal_of != 0) return PermissionDenied("a personal workspace has no other members");
  if (*role != model::Role::kOwner) return PermissionDenied("only a team's owners manage it");
  return **w;
}

Result<bool> Accounts::LastOwner(model::WorkspaceId team, model::UserId member) {
  auto members = store_.accounts().Members(team);
  if (!members.ok()) return members.error();
  int owners = 0;
  bool is_owner = false;
  for (const auto& m : *members) {
    if (m.role != model::Role::kOwner) continue;
    ++owners;
    is_owner = is_owner || m.user == member;
  }
  return is_owner && owners == 1;
}

Result<std::vector<store::Member>> Accounts::Members(const Principal& p, model::WorkspaceId team) {
  if (!RoleIn(p, team).ok()) return NotFound("no such team");
  return store_.accounts().Members(team);
}

Status Accounts::Invite(const Principal& p, model::WorkspaceId team, std::string_view raw_email,
                        model::Role role, int64_t now_ms) {
  auto w = OwnedTeam(p, team);
  if (!w.ok()) return w.error();
  const std::string email = NormalizeEmail(raw_email);
  if (!IsEmailAddress(email)) return InvalidField("email", "this is not an email address");
  const std::string token = Base64UrlEncode(RandomBytes(kTokenBytes));
  model::OneTimeLink link;
  link.hash = HashSecret(token);
  link.kind = model::LinkKind::kInvitation;
  link.user = p.user.id;  // who invited
  link.workspace = team;
  link.email = email;
  link.role = role;
  link.created_ms = now_ms;
  link.expires_ms = now_ms + options_.invitation_link / 1000;
  if (Status s = store_.accounts().PutLink(link); !s.ok()) return s;
  return Mail(email, p.user.name + " invites you to the team " + w->name + " on Tocsin",
              p.user.name + " (" + p.user.email + ") invites you to join the team '" + w->name +
                  "' on Tocsin as " + std::string(model::RoleName(role)) + ".\n\nAccept here:\n\n" +
                  options_.public_url + "/invite/" + token +
                  "\n\nNo account yet? Register with this address first; where "
                  "registration is by invitation only, give this invitation code: " +
                  token + "\n\nThe link works once, within 7 days. If you do not know " +
                  p.user.name + ", ignore this message.\n",
              "invite-" + std::to_string(team) + "-" + email + "-" + std::to_string(now_ms));
}

Result<model::Workspace> Accounts::AcceptInvitation(const Principal& p, std::string_view token,
                                                    int64_t now_ms) {
  const std::string hash = HashSecret(token);
  auto link = store_.accounts().PeekLink(hash, model::LinkKind::kInvitation, now_ms);
  if (!link.ok()) return link.error();
  // The link was sent to an address: only its owner may use it (a
  // forwarded invitation does not let someone else in).
  if (link->email != p.user.email || p.user.email_confirmed_ms == 0) {
    return PermissionDenied("this invitation was sent to another address: log in as " +
                            link->email);
  }
  auto w = store_.accounts().GetWorkspace(link->workspace);
  if (!w.ok()) return w.error();
  if (!*w) return NotFound("this team no longer exists");
  auto used = store_.accounts().UseLink(hash, model::LinkKind::kInvitation, now_ms);
  if (!used.ok()) return used.error();
  auto role = store_.accounts().RoleOf(p.user.id, link->workspace);
  if (!role.ok()) return role.error();
  // Joining never lowers a role the user has already.
  if (!*role || **role < link->role) {
    if (Status s = store_.accounts().SetMember(link->workspace, p.user.id, link->role); !s.ok()) {
      return s.error();
    }
  }
  return **w;
}

Status Accounts::SetRole(const Principal& p, model::WorkspaceId team, model::UserId member,
                         model::Role role) {
  auto w = OwnedTeam(p, team);
  if (!w.ok()) return w.error();
  auto current = store_.accounts().RoleOf(member, team);
  if (!current.ok()) return current.error();
  if (!*current) return NotFound("no such member");
  if (role != model::Role::kOwner) {
    auto last = LastOwner(team, member);
    if (!last.ok()) return last.error();
    if (*last) {
      return Error{ErrorCode::kConflict, "a team keeps at least one owner: make another first"};
    }
  }
  return store_.accounts().SetMember(team, member, role);
}

Status Accounts::DeleteTeam(const Principal& p, model::WorkspaceId team, std::string_view password,
                            int64_t now_ms) {
  auto w = OwnedTeam(p, team);
  if (!w.ok()) return w.error();
  if (Status s = CheckPassword(p.user.password_hash, password, "password"); !s.ok()) return s;
  auto members = store_.accounts().Members(team);
  if (!members.ok()) return members.error();
  if (Status s = store_.accounts().DeleteWorkspace(team); !s.ok()) return s;
  for (const store::Member& m : *members) {
    if (m.user == p.user.id) continue;
    // Best effort: the team is gone whether or not the notice is queued.
    (void)Mail(m.email, "The team " + w->name + " was deleted",
               "Hello " + m.name + ",\n\n" + p.user.name + " (" + p.user.email +
                   ") deleted the team '" + w->name + "' on " + options_.public_url +
                   ", with its monitors, their history, its channels and its tokens. You are "
                   "no longer a member; your own account is unchanged.\n",
               "team-deleted-" + std::to_string(team) + "-" + std::to_string(m.user) + "-" +
                   std::to_string(now_ms));
  }
  return {};
}

Status Accounts::RemoveMember(const Principal& p, model::WorkspaceId team, model::UserId member) {
  if (member != p.user.id) {
    auto w = OwnedTeam(p, team);
    if (!w.ok()) return w.error();
  } else {
    auto w = store_.accounts().GetWorkspace(team);
    if (!w.ok()) return w.error();
    if (!*w || !RoleIn(p, team).ok()) return NotFound("no such team");
    if ((*w)->personal_of != 0) return PermissionDenied("a personal workspace cannot be left");
  }
  auto current = store_.accounts().RoleOf(member, team);
  if (!current.ok()) return current.error();
  if (!*current) return NotFound("no such member");
  auto last = LastOwner(team, member);
  if (!last.ok()) return last.error();
  if (*last) return Error{ErrorCode::kConflict, "a team keeps at least one owner"};
  return store_.accounts().RemoveMember(team, member);
}

Result<size_t> Accounts::NoticeToAll(const Principal& admin, NoticeKind kind,
                                     std::string_view subject, std::string_view text,
                                     int64_t now_ms) {
  if (!admin.user.admin) return PermissionDenied("administrators only");
  if (subject.empty() || subject.size() > 200 ||
      subject.find_first_of("\r\n") != std::string_view::npos) {
    return InvalidField("subject", "the subject must be one line of 1 to 200 characters");
  }
  if (text.empty() || text.size() > 20'000) {
    return InvalidField("text", "the text must be 1 to 20,000 characters");
  }
  static constexpr const char* kPrefix[] = {"", "Privacy policy change: ", "Security notice: "};
  const std::string full_subject = kPrefix[static_cast<int>(kind)] + std::string(subject);
  auto users = store_.accounts().ListUsers();
  if (!users.ok()) return users.error();
  size_t sent = 0;
  for (const auto& u : *users) {
    if (u.email_confirmed_ms == 0) continue;
    if (Status s = Mail(u.email, full_subject,
                        "Hello " + u.name + ",\n\n" + std::string(text) +
                            "\n\n-- \nThe administrator of Tocsin at " + options_.public_url + "\n",
                        "notice-" + std::to_string(now_ms) + "-" + std::to_string(u.id));
        !s.ok()) {
      return s.error();
    }
    ++sent;
  }
  return sent;
}

}  // namespace tocsin::account
