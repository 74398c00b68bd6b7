/*
 * ssd_conf.c: every option of securityserverd.ini (the daemon and
 * securityserverctl read the same file); man/securityserverd.ini.5 lists
 * them and a test checks it does.
 */
#include "config.h"

#include "conf.h"
#include "securityserverd.h"

static const char *const log_levels[] = { "warn", "info", "debug", NULL };

const struct conf_option ssd_options[] = {
	{ "server", "server-id", CONF_STRING, NULL, 0, 0, NULL, CONF_REQUIRED,
	  "this server: INSTANCE/CLASS/MEMBER/SERVERCODE" },
	{ "server", "state-dir", CONF_PATH, NULL, 0, 0, NULL, CONF_REQUIRED,
	  "folder for the databases, caches and archives" },
	{ "server", "log-level", CONF_ENUM, "info", 0, 0, log_levels, 0,
	  "warn, info or debug" },
	{ "server", "schema-dir", CONF_PATH, HK_DATADIR "/securityserver/schemas", 0, 0, NULL,
	  0, "folder of the XML schemas (global configuration)" },

	{ "client-proxy", "address", CONF_STRING, "127.0.0.1", 0, 0, NULL, 0,
	  "address the member information systems connect to" },
	{ "client-proxy", "port", CONF_INT, "8080", 0, 65535, NULL, 0,
	  "HTTP port for member information systems" },
	{ "client-proxy", "https-port", CONF_INT, "0", 0, 65535, NULL, 0,
	  "HTTPS port for member information systems (0: none); needed by "
	  "clients whose connection type is SSLNOAUTH or SSLAUTH" },
	{ "client-proxy", "tls-key", CONF_PATH, NULL, 0, 0, NULL, 0,
	  "private key of the HTTPS port's internal TLS certificate, PEM "
	  "(default: the authentication key)" },
	{ "client-proxy", "tls-cert", CONF_PATH, NULL, 0, 0, NULL, 0,
	  "internal TLS certificate of the HTTPS port, PEM (default: the "
	  "authentication certificate)" },
	{ "client-proxy", "max-body-size", CONF_SIZE, "10M", 1024,
	  1024LL * 1024 * 1024, NULL, 0, "largest request body accepted" },
	{ "client-proxy", "max-header-size", CONF_SIZE, "64K", 1024,
	  1024 * 1024, NULL, 0, "largest request head accepted" },
	{ "client-proxy", "timeout", CONF_DURATION, "60", 1, 3600, NULL, 0,
	  "idle timeout of member connections, seconds" },
	{ "client-proxy", "connect-timeout", CONF_DURATION, "30", 1, 600, NULL,
	  0, "connect timeout towards other security servers, seconds" },
	{ "client-proxy", "request-timeout", CONF_DURATION, "120", 1, 3600,
	  NULL, 0, "whole-exchange timeout towards other servers, seconds" },

	{ "server-proxy", "address", CONF_STRING, "127.0.0.1", 0, 0, NULL, 0,
	  "address other security servers connect to" },
	{ "server-proxy", "port", CONF_INT, "5500", 0, 65535, NULL, 0,
	  "mutual-TLS port for other security servers" },
	{ "server-proxy", "ocsp-port", CONF_INT, "5577", 0, 65535, NULL, 0,
	  "plain HTTP port of the OCSP download endpoint" },
	{ "server-proxy", "max-body-size", CONF_SIZE, "12M", 1024,
	  1024LL * 1024 * 1024, NULL, 0, "largest transport message accepted" },
	{ "server-proxy", "timeout", CONF_DURATION, "60", 1, 3600, NULL, 0,
	  "idle timeout of connections from other servers, seconds" },
	{ "server-proxy", "default-service-timeout", CONF_DURATION, "60", 1,
	  3600, NULL, 0, "provider call timeout when a service sets none" },

	{ "admin", "address", CONF_STRING, "127.0.0.1", 0, 0, NULL, 0,
	  "address of the health, metrics and admin endpoints" },
	{ "admin", "port", CONF_INT, "4000", 0, 65535, NULL, 0,
	  "port of the health, metrics and admin endpoints" },

	{ "globalconf", "anchor", CONF_PATH, NULL, 0, 0, NULL, CONF_REQUIRED,
	  "configuration anchor file (trust root of global configuration)" },
	{ "globalconf", "update-interval", CONF_DURATION, "60", 5, 86400, NULL,
	  0, "seconds between downloads of global configuration" },

	{ "tls", "auth-key", CONF_PATH, NULL, 0, 0, NULL, CONF_REQUIRED,
	  "authentication (TLS) private key, PEM" },
	{ "tls", "auth-cert", CONF_PATH, NULL, 0, 0, NULL, CONF_REQUIRED,
	  "authentication certificate, PEM, followed by its chain" },
	{ "tls", "auth-chain", CONF_PATH, NULL, 0, 0, NULL, 0,
	  "intermediate CA certificates sent after the authentication "
	  "certificate, PEM (if not in auth-cert)" },

	{ "ocsp", "fetch-interval", CONF_DURATION, "1200", 60, 86400, NULL, 0,
	  "seconds between OCSP fetches for this server's certificates" },

	{ "message-log", "body-logging", CONF_BOOL, "yes", 0, 0, NULL, 0,
	  "log whole messages (no: SOAP Body emptied, REST head only)" },
	{ "message-log", "max-loggable-body-size", CONF_SIZE, "10M", 1024,
	  1024LL * 1024 * 1024, NULL, 0,
	  "largest message (with attachments or REST body) that is logged" },
	{ "message-log", "timestamp-records-limit", CONF_INT, "10000", 1,
	  1000000, NULL, 0, "most records stamped with one TSA request" },
	{ "message-log", "acceptable-timestamp-failure-period", CONF_DURATION,
	  "14400", 0, 31536000, NULL, 0,
	  "seconds of failed timestamping before messages are refused, 0: never" },
	{ "message-log", "retry-interval", CONF_DURATION, "60", 1, 86400, NULL,
	  0, "seconds between timestamping attempts after a failure" },
	{ "message-log", "archive-interval", CONF_DURATION, "6h", 10, 604800,
	  NULL, 0, "seconds between runs of the archiver" },
	{ "message-log", "archive-max-size", CONF_SIZE, "32M", 65536,
	  4LL * 1024 * 1024 * 1024, NULL, 0,
	  "size at which an archive file is closed and a new one begun" },
	{ "message-log", "keep-records-for", CONF_DURATION, "30d", 0, 315360000,
	  NULL, 0, "how long archived records stay in the database" },
	{ "message-log", "archive-dir", CONF_PATH, NULL, 0, 0, NULL, 0,
	  "folder of the message log archives (default state-dir/archive)" },

	{ "member *", "sign-key", CONF_PATH, NULL, 0, 0, NULL, CONF_REQUIRED,
	  "signing private key of the member named by the section, PEM" },
	{ "member *", "sign-cert", CONF_PATH, NULL, 0, 0, NULL, CONF_REQUIRED,
	  "signing certificate of that member, PEM, followed by its chain" },
	{ "member *", "sign-chain", CONF_PATH, NULL, 0, 0, NULL, 0,
	  "intermediate CA certificates of that signing certificate, PEM "
	  "(if not in sign-cert); carried inside every signature" },
	CONF_OPTION_END
};

