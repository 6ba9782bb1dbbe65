// The provider of each channel kind (one folder each under notify/).
#pragma once

#include "notify/provider.h"

namespace tocsin::notify {

const Provider& EmailProviderInstance();
const Provider& WebhookProviderInstance();
const Provider& SlackProviderInstance();
const Provider& DiscordProviderInstance();
const Provider& TeamsProviderInstance();
const Provider& PagerDutyProviderInstance();
const Provider& NtfyProviderInstance();
const Provider& TelegramProviderInstance();

}  // namespace tocsin::notify
