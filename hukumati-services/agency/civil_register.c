/*
 * civil_register.c: the Ministry of Interior civil register
 * (X-Road subsystem PS/GOV/MOI/CIVIL-REGISTER).
 *
 *	SOAP getPerson (namespace CR_NS)
 *	    <getPerson><nationalId>400000014</nationalId></getPerson>
 *	    -> <getPersonResponse><found>true</found><person>...</person>
 *	       or <getPersonResponse><found>false</found> for an unknown ID
 *	       (a business answer, NOTES 2.5); a missing, malformed or
 *	       check-digit-invalid nationalId is a Client fault.
 *	REST GET /rest/persons/{nationalId}
 *	    -> 200 the person as JSON, 404 unknown, 400 malformed ID
 *
 * The data (synthetic) is seeded by civil_register_seed.c.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include <event2/http.h>
#include <jansson.h>
#include <libxml/tree.h>

#include "agency.h"
#include "compat.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "luhn.h"
#include "xrmsg.h"

#define CR_NS	"http://moi.gov.ps/civil-register"

/* Fault code for a malformed or check-digit-invalid national ID. */
#define CR_E_INVALID_NATIONAL_ID	"InvalidNationalId"

/*
 * Schema version 1: persons. Births, documents, passports and
 * appointments come as later migrations.
 */
static const char *const cr_migrations[] = {
	"CREATE TABLE person ("
	"  national_id TEXT PRIMARY KEY NOT NULL"
	"    CHECK (length(national_id) = 9"
	"      AND national_id NOT GLOB '*[^0-9]*'),"
	"  first_name_ar TEXT NOT NULL,"
	"  father_name_ar TEXT NOT NULL,"
	"  grandfather_name_ar TEXT NOT NULL,"
	"  family_name_ar TEXT NOT NULL,"
	"  first_name_en TEXT NOT NULL,"
	"  father_name_en TEXT NOT NULL,"
	"  grandfather_name_en TEXT NOT NULL,"
	"  family_name_en TEXT NOT NULL,"
	"  date_of_birth TEXT NOT NULL"
	"    CHECK (date(date_of_birth) IS date_of_birth),"
	"  sex TEXT NOT NULL CHECK (sex IN ('M', 'F')),"
	"  place_of_birth_ar TEXT NOT NULL,"
	"  place_of_birth_en TEXT NOT NULL,"
	"  governorate_ar TEXT NOT NULL,"
	"  governorate_en TEXT NOT NULL,"
	"  city_ar TEXT NOT NULL,"
	"  city_en TEXT NOT NULL,"
	"  street_ar TEXT NOT NULL,"
	"  street_en TEXT NOT NULL,"
	"  building TEXT,"
	"  postcode TEXT NOT NULL,"
	"  marital_status TEXT NOT NULL CHECK (marital_status IN"
	"    ('single', 'married', 'divorced', 'widowed')),"
	"  status TEXT NOT NULL DEFAULT 'alive'"
	"    CHECK (status IN ('alive', 'deceased')),"
	"  date_of_death TEXT"
	"    CHECK (date_of_death IS NULL OR (status = 'deceased'"
	"      AND date(date_of_death) IS date_of_death)),"
	"  mobile TEXT,"
	"  created_at TEXT NOT NULL"
	"    DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),"
	"  updated_at TEXT NOT NULL"
	"    DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"
	") STRICT;"
	"CREATE INDEX person_mobile ON person (mobile);"
	"CREATE INDEX person_family_en ON person (family_name_en);"
};

/* The columns every reader selects, in the order of enum cr_col. */
#define CR_PERSON_SELECT \
	"SELECT national_id, first_name_ar, father_name_ar," \
	" grandfather_name_ar, family_name_ar, first_name_en, father_name_en," \
	" grandfather_name_en, family_name_en, date_of_birth, sex," \
	" place_of_birth_ar, place_of_birth_en, governorate_ar," \
	" governorate_en, city_ar, city_en, street_ar, street_en, building," \
	" postcode, marital_status, status, date_of_death, mobile" \
	" FROM person WHERE national_id = ?"

enum cr_col {
	C_ID, C_FIRST_AR, C_FATHER_AR, C_GRANDFATHER_AR, C_FAMILY_AR,
	C_FIRST_EN, C_FATHER_EN, C_GRANDFATHER_EN, C_FAMILY_EN, C_DOB, C_SEX,
	C_POB_AR, C_POB_EN, C_GOV_AR, C_GOV_EN, C_CITY_AR, C_CITY_EN,
	C_STREET_AR, C_STREET_EN, C_BUILDING, C_POSTCODE, C_MARITAL,
	C_STATUS, C_DOD, C_MOBILE
};

static const char *
col(sqlite3_stmt *st, enum cr_col c)
{
	return (const char *)sqlite3_column_text(st, (int)c);
}

/*
 * Find a person: DB_ROW with *stp positioned on the row (caller
 * finalizes), DB_DONE if unknown, DB_ERR (logged).
 */
static int
cr_lookup(struct db *db, const char *id, sqlite3_stmt **stp)
{
	sqlite3_stmt	*st = NULL;
	int		 r;

	*stp = NULL;
	if (db_queryf(db, &st, CR_PERSON_SELECT, "t", id) == -1) {
		log_warnx("civil register: %s", db_last_error(db));
		return DB_ERR;
	}
	if ((r = db_step(db, st)) == DB_ROW) {
		*stp = st;
		return DB_ROW;
	}
	if (r == DB_ERR)
		log_warnx("civil register: %s", db_last_error(db));
	db_finalize(st);
	return r;
}

/* 0 if id is 9 ASCII digits with a good check digit; else the reason. */
static const char *
cr_id_problem(const char *id)
{
	size_t	 i, n = strlen(id);

	if (n != LUHN_NID_LEN)
		return "a national ID has exactly 9 digits";
	for (i = 0; i < n; i++)
		if (id[i] < '0' || id[i] > '9')
			return "a national ID has exactly 9 digits";
	if (!luhn_nid_valid(id))
		return "the national ID's check digit is wrong";
	return NULL;
}

/*
 * SOAP.
 */

static int
xml_pair(xmlNode *parent, const char *name, const char *ar, const char *en)
{
	xmlNode	*n;

	if ((n = xmlNewChild(parent, parent->ns, BAD_CAST name, NULL)) ==
	    NULL || agency_add(n, "ar", ar) == NULL ||
	    agency_add(n, "en", en) == NULL)
		return -1;
	return 0;
}

static int
xml_name(xmlNode *parent, const char *name, sqlite3_stmt *st,
    enum cr_col first)
{
	xmlNode	*n;

	if ((n = xmlNewChild(parent, parent->ns, BAD_CAST name, NULL)) ==
	    NULL || agency_add(n, "first", col(st, first)) == NULL ||
	    agency_add(n, "father", col(st, first + 1)) == NULL ||
	    agency_add(n, "grandfather", col(st, first + 2)) == NULL ||
	    agency_add(n, "family", col(st, first + 3)) == NULL)
		return -1;
	return 0;
}

/* <person> in the order of the WSDL's cr:person type. */
static int
cr_person_xml(xmlNode *parent, sqlite3_stmt *st)
{
	xmlNode	*p, *a;

	if ((p = xmlNewChild(parent, parent->ns, BAD_CAST "person",
	    NULL)) == NULL ||
	    agency_add(p, "nationalId", col(st, C_ID)) == NULL ||
	    xml_name(p, "nameAr", st, C_FIRST_AR) == -1 ||
	    xml_name(p, "nameEn", st, C_FIRST_EN) == -1 ||
	    agency_add(p, "dateOfBirth", col(st, C_DOB)) == NULL ||
	    agency_add(p, "sex", col(st, C_SEX)) == NULL ||
	    xml_pair(p, "placeOfBirth", col(st, C_POB_AR),
	    col(st, C_POB_EN)) == -1)
		return -1;
	if ((a = xmlNewChild(p, p->ns, BAD_CAST "address", NULL)) == NULL ||
	    xml_pair(a, "governorate", col(st, C_GOV_AR),
	    col(st, C_GOV_EN)) == -1 ||
	    xml_pair(a, "city", col(st, C_CITY_AR), col(st, C_CITY_EN)) == -1 ||
	    xml_pair(a, "street", col(st, C_STREET_AR),
	    col(st, C_STREET_EN)) == -1 ||
	    (col(st, C_BUILDING) != NULL &&
	    agency_add(a, "building", col(st, C_BUILDING)) == NULL) ||
	    agency_add(a, "postcode", col(st, C_POSTCODE)) == NULL)
		return -1;
	if (agency_add(p, "maritalStatus", col(st, C_MARITAL)) == NULL ||
	    agency_add(p, "status", col(st, C_STATUS)) == NULL ||
	    (col(st, C_DOD) != NULL &&
	    agency_add(p, "dateOfDeath", col(st, C_DOD)) == NULL) ||
	    (col(st, C_MOBILE) != NULL &&
	    agency_add(p, "mobile", col(st, C_MOBILE)) == NULL))
		return -1;
	return 0;
}

/* XML whitespace (xs:token collapses it) around the value is dropped. */
static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int
cr_get_person(struct agency *ag, const struct soap_msg *msg,
    const xmlNode *req, xmlNode *resp, struct xr_err *err)
{
	sqlite3_stmt	*st = NULL;
	char		*text = NULL, *id;
	const char	*why;
	int		 r, ret = AGENCY_ERR;

	(void)msg;
	if (agency_text(ag, req, "nationalId", &text) == -1) {
		xr_err_set(err, XR_E_BAD_REQUEST,
		    "getPerson takes exactly one nationalId");
		return AGENCY_BAD;
	}
	if (text == NULL) {
		xr_err_set(err, XR_E_BAD_REQUEST,
		    "getPerson needs a nationalId");
		return AGENCY_BAD;
	}
	id = trim(text);
	if ((why = cr_id_problem(id)) != NULL) {
		xr_err_set(err, CR_E_INVALID_NATIONAL_ID, "Invalid nationalId: "
		    "%s", why);
		ret = AGENCY_BAD;
		goto done;
	}
	if ((r = cr_lookup(agency_db(ag), id, &st)) == DB_ERR)
		goto done;
	if (r == DB_DONE) {
		if (agency_add(resp, "found", "false") == NULL)
			goto done;
	} else if (agency_add(resp, "found", "true") == NULL ||
	    cr_person_xml(resp, st) == -1)
		goto done;
	ret = AGENCY_OK;
 done:
	db_finalize(st);
	xmlFree(text);
	return ret;
}

/*
 * REST and JSON.
 */

static json_t *
json_pair(const char *ar, const char *en)
{
	return json_pack("{s:s, s:s}", "ar", ar, "en", en);
}

static json_t *
json_name(sqlite3_stmt *st, enum cr_col first)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "first", col(st, first),
	    "father", col(st, first + 1), "grandfather", col(st, first + 2),
	    "family", col(st, first + 3));
}

static int
json_opt(json_t *o, const char *key, const char *value)
{
	if (value == NULL)
		return 0;
	return json_object_set_new(o, key, json_string(value));
}

int
cr_person_json(struct db *db, const char *id, json_t **out)
{
	sqlite3_stmt	*st = NULL;
	json_t		*j = NULL, *addr = NULL;
	int		 r;

	*out = NULL;
	if ((r = cr_lookup(db, id, &st)) != DB_ROW)
		return r == DB_DONE ? 0 : -1;
	addr = json_pack("{s:o, s:o, s:o, s:s}",
	    "governorate", json_pair(col(st, C_GOV_AR), col(st, C_GOV_EN)),
	    "city", json_pair(col(st, C_CITY_AR), col(st, C_CITY_EN)),
	    "street", json_pair(col(st, C_STREET_AR), col(st, C_STREET_EN)),
	    "postcode", col(st, C_POSTCODE));
	if (addr == NULL || json_opt(addr, "building",
	    col(st, C_BUILDING)) == -1)
		goto fail;
	j = json_pack("{s:s, s:{s:o, s:o}, s:s, s:s, s:o, s:O, s:s, s:s}",
	    "nationalId", col(st, C_ID),
	    "name", "ar", json_name(st, C_FIRST_AR),
	    "en", json_name(st, C_FIRST_EN),
	    "dateOfBirth", col(st, C_DOB),
	    "sex", col(st, C_SEX),
	    "placeOfBirth", json_pair(col(st, C_POB_AR), col(st, C_POB_EN)),
	    "address", addr,
	    "maritalStatus", col(st, C_MARITAL),
	    "status", col(st, C_STATUS));
	if (j == NULL || json_opt(j, "dateOfDeath", col(st, C_DOD)) == -1 ||
	    json_opt(j, "mobile", col(st, C_MOBILE)) == -1)
		goto fail;
	json_decref(addr);
	db_finalize(st);
	*out = j;
	return 1;
 fail:
	log_warnx("civil register: cannot build the JSON person");
	json_decref(addr);
	json_decref(j);
	db_finalize(st);
	return -1;
}

static void
cr_rest_person(struct agency *ag, struct evhttp_request *req,
    const char *sub)
{
	json_t		*j = NULL;
	const char	*why;

	if ((why = cr_id_problem(sub)) != NULL) {
		http_reply_error_json(req, 400, "invalid_national_id", why);
		return;
	}
	switch (cr_person_json(agency_db(ag), sub, &j)) {
	case 1:
		log_info("rest person lookup: found");
		http_reply_json(req, 200, j);
		json_decref(j);
		break;
	case 0:
		log_info("rest person lookup: not found");
		http_reply_error_json(req, 404, "not_found",
		    "no person with this national ID");
		break;
	default:
		http_reply_error_json(req, 500, "internal_error",
		    "internal error");
		break;
	}
}

static const struct agency_soap_op cr_soap_ops[] = {
	{ "getPerson", cr_get_person },
	{ NULL, NULL }
};

static const struct agency_rest_route cr_rest[] = {
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/persons/", HTTP_ROUTE_PREFIX,
	    cr_rest_person },
	{ 0, NULL, 0, NULL }
};

const struct agency_module civil_register_module = {
	"civil-register",
	"Ministry of Interior civil register",
	CR_NS,
	"civil-register.wsdl",
	"civil-register.json",
	cr_migrations,
	sizeof(cr_migrations) / sizeof(cr_migrations[0]),
	cr_seed,
	cr_soap_ops,
	cr_rest
};
