#include "model/account.h"

namespace tocsin::model {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kEditor:
      return "editor";
    case Role::kOwner:
      return "owner";
  }
  return "viewer";
}

bool RoleFromName(std::string_view name, Role* role) {
  for (Role r : {Role::kViewer, Role::kEditor, Role::kOwner}) {
    if (RoleName(r) == name) {
      *role = r;
      return true;
    }
  }
  return false;
}

}  // namespace tocsin::model
