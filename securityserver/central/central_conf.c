/*
 * central_conf.c: every option of centralserver.ini; man/centralserver.8
 * lists them and a test checks that it does.
 */
#include "config.h"

#include "conf.h"
#include "central.h"

static const char *const log_levels[] = { "warn", "info", "debug", NULL };

const struct conf_option central_options[] = {
	{ "server", "instance", CONF_STRING, NULL, 0, 0, NULL, CONF_REQUIRED,
	  "X-Road instance identifier, e.g. PS" },
	{ "server", "state-dir", CONF_PATH, NULL, 0, 0, NULL, CONF_REQUIRED,
	  "folder of the registry database" },
	{ "server", "log-level", CONF_ENUM, "info", 0, 0, log_levels, 0,
	  "warn, info or debug" },
	{ "server", "address", CONF_STRING, "127.0.0.1", 0, 0, NULL, 0,
	  "address the configuration is served on" },
	{ "server", "port", CONF_INT, "8090", 0, 65535, NULL, 0,
	  "HTTP port the configuration is served on" },
	{ "server", "public-url", CONF_STRING, NULL, 0, 0, NULL, 0,
	  "base URL security servers download from (default "
	  "http://address:port)" },
	{ "server", "conf-sign-key", CONF_PATH, NULL, 0, 0, NULL,
	  CONF_REQUIRED, "configuration signing private key, PEM" },
	{ "server", "conf-sign-cert", CONF_PATH, NULL, 0, 0, NULL,
	  CONF_REQUIRED, "configuration signing certificate, PEM" },
	{ "server", "expire-interval", CONF_DURATION, "600", 10, 7 * 86400,
	  NULL, 0, "validity of a signed directory, seconds" },
	{ "server", "generation-interval", CONF_DURATION, "60", 1, 86400, NULL,
	  0, "seconds between two generations (re-signing)" },
	{ "server", "ocsp-freshness", CONF_DURATION, "3600", 1, 31 * 86400,
	  NULL, 0, "ocspFreshnessSeconds unless the registry sets it" },
	{ "server", "timestamping-interval", CONF_DURATION, "60", 1,
	  31 * 86400, NULL, 0,
	  "timeStampingIntervalSeconds unless the registry sets it" },
	{ "server", "schema-dir", CONF_PATH,
	  HK_DATADIR "/securityserver/schemas", 0, 0, NULL, 0,
	  "folder of the XML schemas (global configuration)" },

	{ "management", "provider", CONF_STRING, NULL, 0, 0, NULL, 0,
	  "client id of the management services provider (default: the "
	  "first member registered)" },
	{ "management", "address", CONF_STRING, NULL, 0, 0, NULL, 0,
	  "authCertRegServiceAddress (default public-url/managementservice/)" },
	CONF_OPTION_END
};
