/*
 * civil_register_seed.c: the civil register's synthetic population.
 *
 * A fixed set of demo persons (documented in README.md; tests and the SSO
 * rely on them), then `count` generated persons from a fixed-seed
 * generator, so that every fresh database holds exactly the same data.
 * Names are common Palestinian names as consistent Arabic/English pairs;
 * national IDs are 9 digits with a Luhn check digit; generated IDs never
 * start with 4000000 (that range is the demo persons').
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "agency.h"
#include "db.h"
#include "log.h"
#include "luhn.h"

struct cr_pair {
	const char	*ar;
	const char	*en;
};

struct cr_locality {
	const char	*gov_ar;
	const char	*gov_en;
	const char	*city_ar;
	const char	*city_en;
	unsigned int	 area;	/* first 3 digits of the postcode */
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct cr_pair cr_male[] = {
	{ "محمد", "Mohammad" }, { "أحمد", "Ahmad" },
	{ "محمود", "Mahmoud" }, { "خالد", "Khaled" },
	{ "يوسف", "Yousef" }, { "إبراهيم", "Ibrahim" },
	{ "عمر", "Omar" }, { "علي", "Ali" }, { "حسن", "Hasan" },
	{ "حسين", "Hussein" }, { "سامي", "Sami" },
	{ "عبدالله", "Abdullah" }, { "مصطفى", "Mustafa" },
	{ "صالح", "Saleh" }, { "سعيد", "Saeed" }, { "رامي", "Rami" },
	{ "فادي", "Fadi" }, { "باسل", "Basel" }, { "نضال", "Nidal" },
	{ "جمال", "Jamal" }, { "كمال", "Kamal" }, { "وليد", "Walid" },
	{ "طارق", "Tareq" }, { "زياد", "Ziad" }, { "ماجد", "Majed" },
	{ "عماد", "Imad" }, { "هاني", "Hani" }, { "رائد", "Raed" },
	{ "أسامة", "Osama" }, { "ياسر", "Yasser" }, { "كريم", "Karim" },
	{ "آدم", "Adam" }, { "خليل", "Khalil" }, { "عيسى", "Issa" },
	{ "موسى", "Musa" }, { "نبيل", "Nabil" }, { "سليم", "Salim" },
	{ "منير", "Munir" }, { "بلال", "Bilal" }, { "إياد", "Iyad" }
};

static const struct cr_pair cr_female[] = {
	{ "فاطمة", "Fatima" }, { "مريم", "Maryam" }, { "آمنة", "Amna" },
	{ "عائشة", "Aisha" }, { "ليلى", "Layla" }, { "سلمى", "Salma" },
	{ "رنا", "Rana" }, { "هبة", "Hiba" }, { "نور", "Nour" },
	{ "دعاء", "Duaa" }, { "أسماء", "Asmaa" }, { "سارة", "Sara" },
	{ "ريم", "Reem" }, { "لينا", "Lina" }, { "رهف", "Rahaf" },
	{ "يارا", "Yara" }, { "جنى", "Jana" }, { "ملك", "Malak" },
	{ "دانا", "Dana" }, { "هالة", "Hala" }, { "سناء", "Sanaa" },
	{ "منى", "Mona" }, { "وفاء", "Wafaa" }, { "عبير", "Abeer" },
	{ "رزان", "Razan" }, { "إيمان", "Iman" }, { "خديجة", "Khadija" },
	{ "زينب", "Zainab" }, { "شيماء", "Shaimaa" }, { "تسنيم", "Tasneem" }
};

static const struct cr_pair cr_family[] = {
	{ "عودة", "Odeh" }, { "ناصر", "Nasser" }, { "حداد", "Haddad" },
	{ "البرغوثي", "Barghouti" }, { "قاسم", "Qasem" },
	{ "الخطيب", "Khatib" }, { "منصور", "Mansour" },
	{ "حمدان", "Hamdan" }, { "الشريف", "Sharif" }, { "جرار", "Jarrar" },
	{ "النتشة", "Natsheh" }, { "الطويل", "Tawil" },
	{ "دويكات", "Dweikat" }, { "شاهين", "Shaheen" },
	{ "عابدين", "Abdeen" }, { "الحسيني", "Husseini" },
	{ "النجار", "Najjar" }, { "الشوا", "Shawa" },
	{ "أبو شمالة", "Abu Shamala" }, { "العلمي", "Alami" },
	{ "خليفة", "Khalifa" }, { "المصري", "Masri" }, { "الأغا", "Agha" },
	{ "سلامة", "Salameh" }, { "يعقوب", "Yaqoub" },
	{ "القواسمي", "Qawasmi" }, { "عمرو", "Amro" },
	{ "التميمي", "Tamimi" }, { "الجعبري", "Jabari" },
	{ "عبد الهادي", "Abdulhadi" }, { "طوقان", "Touqan" },
	{ "كنعان", "Kanaan" }, { "الشكعة", "Shakaa" },
	{ "أبو غزالة", "Abu Ghazaleh" }, { "سعادة", "Saadeh" },
	{ "حمد", "Hamad" }
};

/* Governorates with some of their towns; postcode areas are synthetic. */
static const struct cr_locality cr_places[] = {
	{ "جنين", "Jenin", "جنين", "Jenin", 110 },
	{ "جنين", "Jenin", "يعبد", "Yabad", 115 },
	{ "طوباس", "Tubas", "طوباس", "Tubas", 130 },
	{ "طولكرم", "Tulkarm", "طولكرم", "Tulkarm", 150 },
	{ "نابلس", "Nablus", "نابلس", "Nablus", 200 },
	{ "قلقيلية", "Qalqilya", "قلقيلية", "Qalqilya", 230 },
	{ "سلفيت", "Salfit", "سلفيت", "Salfit", 250 },
	{ "رام الله والبيرة", "Ramallah and al-Bireh", "رام الله",
	    "Ramallah", 300 },
	{ "رام الله والبيرة", "Ramallah and al-Bireh", "البيرة",
	    "al-Bireh", 305 },
	{ "رام الله والبيرة", "Ramallah and al-Bireh", "بيرزيت",
	    "Birzeit", 310 },
	{ "أريحا والأغوار", "Jericho and al-Aghwar", "أريحا", "Jericho", 350 },
	{ "القدس", "Jerusalem", "القدس", "Jerusalem", 400 },
	{ "القدس", "Jerusalem", "العيزرية", "al-Eizariya", 410 },
	{ "بيت لحم", "Bethlehem", "بيت لحم", "Bethlehem", 450 },
	{ "بيت لحم", "Bethlehem", "بيت جالا", "Beit Jala", 455 },
	{ "بيت لحم", "Bethlehem", "بيت ساحور", "Beit Sahour", 460 },
	{ "الخليل", "Hebron", "الخليل", "Hebron", 500 },
	{ "الخليل", "Hebron", "دورا", "Dura", 510 },
	{ "الخليل", "Hebron", "حلحول", "Halhul", 515 },
	{ "شمال غزة", "North Gaza", "جباليا", "Jabalia", 600 },
	{ "شمال غزة", "North Gaza", "بيت لاهيا", "Beit Lahia", 610 },
	{ "غزة", "Gaza", "غزة", "Gaza", 650 },
	{ "دير البلح", "Deir al-Balah", "دير البلح", "Deir al-Balah", 700 },
	{ "خان يونس", "Khan Yunis", "خان يونس", "Khan Yunis", 750 },
	{ "رفح", "Rafah", "رفح", "Rafah", 800 }
};

enum {
	PL_JENIN, PL_YABAD, PL_TUBAS, PL_TULKARM, PL_NABLUS, PL_QALQILYA,
	PL_SALFIT, PL_RAMALLAH, PL_BIREH, PL_BIRZEIT, PL_JERICHO,
	PL_JERUSALEM, PL_EIZARIYA, PL_BETHLEHEM, PL_BEIT_JALA, PL_BEIT_SAHOUR,
	PL_HEBRON, PL_DURA, PL_HALHUL, PL_JABALIA, PL_BEIT_LAHIA, PL_GAZA,
	PL_DEIR_AL_BALAH, PL_KHAN_YUNIS, PL_RAFAH
};

static const struct cr_pair cr_streets[] = {
	{ "شارع القدس", "Al-Quds Street" },
	{ "شارع الجامعة", "University Street" },
	{ "شارع عمر المختار", "Omar al-Mukhtar Street" },
	{ "شارع الشهداء", "Al-Shuhada Street" },
	{ "شارع النصر", "Al-Nasr Street" },
	{ "شارع السلام", "Al-Salam Street" },
	{ "شارع المدارس", "Al-Madares Street" },
	{ "شارع البلدية", "Municipality Street" },
	{ "شارع الاستقلال", "Al-Istiqlal Street" },
	{ "شارع فلسطين", "Palestine Street" },
	{ "شارع الإرسال", "Al-Irsal Street" },
	{ "شارع صلاح الدين", "Salah al-Din Street" },
	{ "شارع فيصل", "Faisal Street" }
};

enum {
	ST_QUDS, ST_UNIVERSITY, ST_MUKHTAR, ST_SHUHADA, ST_NASR, ST_SALAM,
	ST_MADARES, ST_BALADIYA, ST_ISTIQLAL, ST_FALASTIN, ST_IRSAL,
	ST_SALAH_AL_DIN, ST_FAISAL
};

/* One row of the person table, as text. */
struct cr_row {
	char			 id[LUHN_NID_LEN + 1];
	struct cr_pair		 first, father, grandfather, family;
	char			 dob[11];
	const char		*sex;
	const struct cr_locality *pob, *home;
	const struct cr_pair	*street;
	char			 building[8];
	char			 postcode[10];
	const char		*marital;
	const char		*status;
	char			 dod[11];	/* "" if alive */
	char			 mobile[16];	/* "" if none */
};

/* The demo persons (README.md, "Agency information systems"). */
struct cr_demo {
	const char	*id;
	struct cr_pair	 first, father, grandfather, family;
	const char	*dob;
	const char	*sex;
	int		 pob, home, street;
	const char	*building;
	const char	*postcode;
	const char	*marital;
	const char	*status;
	const char	*dod;
	const char	*mobile;
};

static const struct cr_demo cr_demo[] = {
	{ "400000014", { "أحمد", "Ahmad" }, { "محمود", "Mahmoud" },
	    { "خليل", "Khalil" }, { "عودة", "Odeh" }, "1985-03-14", "M",
	    PL_RAMALLAH, PL_RAMALLAH, ST_IRSAL, "12", "P3000412", "married",
	    "alive", NULL, "+970599000001" },
	{ "400000022", { "فاطمة", "Fatima" }, { "علي", "Ali" },
	    { "حسن", "Hasan" }, { "ناصر", "Nasser" }, "1990-07-02", "F",
	    PL_NABLUS, PL_NABLUS, ST_FAISAL, "7", "P2000107", "single",
	    "alive", NULL, "+970569000002" },
	{ "400000030", { "عمر", "Omar" }, { "يوسف", "Yousef" },
	    { "إبراهيم", "Ibrahim" }, { "حداد", "Haddad" }, "1978-11-23", "M",
	    PL_HEBRON, PL_BEIT_JALA, ST_QUDS, "33", "P4550233", "divorced",
	    "alive", NULL, "+970599000003" },
	{ "400000048", { "ليلى", "Layla" }, { "خالد", "Khaled" },
	    { "صالح", "Saleh" }, { "البرغوثي", "Barghouti" }, "2001-01-30",
	    "F", PL_GAZA, PL_GAZA, ST_MUKHTAR, "5", "P6500105", "single",
	    "alive", NULL, "+970599000004" },
	{ "400000055", { "محمود", "Mahmoud" }, { "عبدالله", "Abdullah" },
	    { "مصطفى", "Mustafa" }, { "قاسم", "Qasem" }, "1940-05-05", "M",
	    PL_JERICHO, PL_JERICHO, ST_SALAM, "2", "P3500102", "widowed",
	    "deceased", "2021-02-11", NULL },
	{ "400000063", { "يارا", "Yara" }, { "أحمد", "Ahmad" },
	    { "محمود", "Mahmoud" }, { "عودة", "Odeh" }, "2015-09-09", "F",
	    PL_RAMALLAH, PL_RAMALLAH, ST_IRSAL, "12", "P3000412", "single",
	    "alive", NULL, NULL }
};

const char *const cr_demo_ids[] = {
	"400000014", "400000022", "400000030", "400000048", "400000055",
	"400000063", NULL
};

/* The generator: splitmix64 with a fixed seed (not for secrets). */
#define CR_SEED		0x48756b756d617469ULL	/* "Hukumati" */

static uint64_t
rng_next(uint64_t *s)
{
	uint64_t	 z;

	z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int
rng_below(uint64_t *s, unsigned int n)
{
	return (unsigned int)(rng_next(s) % n);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long
days_from_civil(int y, unsigned int m, unsigned int d)
{
	long		 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long z, int *yp, unsigned int *mp, unsigned int *dp)
{
	long		 era, doe, yoe, y, doy, mp0;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp0 = (5 * doy + 2) / 153;
	*dp = (unsigned int)(doy - (153 * mp0 + 2) / 5 + 1);
	*mp = (unsigned int)(mp0 < 10 ? mp0 + 3 : mp0 - 9);
	*yp = (int)(y + (*mp <= 2));
}

static void
format_date(long days, char out[11])
{
	int		 y;
	unsigned int	 m, d;

	civil_from_days(days, &y, &m, &d);
	(void)snprintf(out, 11, "%04d-%02u-%02u", y, m, d);
}

/* One generated person; deterministic in the generator's state. */
static void
cr_generate(uint64_t *s, struct cr_row *r)
{
	char		 payload[9];
	long		 lo, hi, dob, ref, dod;
	int		 age, y;
	unsigned int	 m, d, p;

	memset(r, 0, sizeof(*r));
	(void)snprintf(payload, sizeof(payload), "%08u",
	    41000000u + rng_below(s, 58999999u));
	(void)luhn_complete(payload, r->id, sizeof(r->id));
	if (rng_below(s, 2) == 0) {
		r->sex = "M";
		r->first = cr_male[rng_below(s, NELEM(cr_male))];
	} else {
		r->sex = "F";
		r->first = cr_female[rng_below(s, NELEM(cr_female))];
	}
	r->father = cr_male[rng_below(s, NELEM(cr_male))];
	r->grandfather = cr_male[rng_below(s, NELEM(cr_male))];
	r->family = cr_family[rng_below(s, NELEM(cr_family))];

	/* Born 1936..2025; ages are counted at 2026-01-01, not today. */
	lo = days_from_civil(1936, 1, 1);
	hi = days_from_civil(2025, 12, 31);
	ref = days_from_civil(2026, 1, 1);
	dob = lo + (long)rng_below(s, (unsigned int)(hi - lo + 1));
	format_date(dob, r->dob);
	civil_from_days(dob, &y, &m, &d);
	age = 2025 - y + (m == 1 && d == 1);

	r->pob = &cr_places[rng_below(s, NELEM(cr_places))];
	r->home = rng_below(s, 4) == 0 ? r->pob :
	    &cr_places[rng_below(s, NELEM(cr_places))];
	r->street = &cr_streets[rng_below(s, NELEM(cr_streets))];
	(void)snprintf(r->building, sizeof(r->building), "%u",
	    1 + rng_below(s, 120));
	(void)snprintf(r->postcode, sizeof(r->postcode), "P%03u%04u",
	    r->home->area, rng_below(s, 10000));

	p = rng_below(s, 100);
	if (age < 18)
		r->marital = "single";
	else if (age < 26)
		r->marital = p < 60 ? "single" : "married";
	else if (age < 60)
		r->marital = p < 15 ? "single" : p < 90 ? "married" :
		    p < 97 ? "divorced" : "widowed";
	else
		r->marital = p < 60 ? "married" : p < 95 ? "widowed" :
		    "divorced";

	r->status = "alive";
	if (age >= 60 && rng_below(s, 100) < 12) {
		r->status = "deceased";
		lo = dob + 60 * 365;
		if (lo < days_from_civil(2000, 1, 1))
			lo = days_from_civil(2000, 1, 1);
		hi = ref - 1;
		dod = lo >= hi ? hi : lo + (long)rng_below(s,
		    (unsigned int)(hi - lo + 1));
		format_date(dod, r->dod);
	} else if (age >= 16) {
		/* +970 59x/56x xxx xxx; subscriber never 000xxx (demo). */
		(void)snprintf(r->mobile, sizeof(r->mobile), "+970%s%u%06u",
		    rng_below(s, 2) == 0 ? "59" : "56", rng_below(s, 10),
		    100000 + rng_below(s, 900000));
	}
}

static void
cr_from_demo(const struct cr_demo *dp, struct cr_row *r)
{
	memset(r, 0, sizeof(*r));
	(void)snprintf(r->id, sizeof(r->id), "%s", dp->id);
	r->first = dp->first;
	r->father = dp->father;
	r->grandfather = dp->grandfather;
	r->family = dp->family;
	(void)snprintf(r->dob, sizeof(r->dob), "%s", dp->dob);
	r->sex = dp->sex;
	r->pob = &cr_places[dp->pob];
	r->home = &cr_places[dp->home];
	r->street = &cr_streets[dp->street];
	(void)snprintf(r->building, sizeof(r->building), "%s", dp->building);
	(void)snprintf(r->postcode, sizeof(r->postcode), "%s", dp->postcode);
	r->marital = dp->marital;
	r->status = dp->status;
	if (dp->dod != NULL)
		(void)snprintf(r->dod, sizeof(r->dod), "%s", dp->dod);
	if (dp->mobile != NULL)
		(void)snprintf(r->mobile, sizeof(r->mobile), "%s", dp->mobile);
}

/* Insert r unless its ID exists: 1 inserted, 0 duplicate, -1 error. */
static int
cr_insert(struct db *db, sqlite3_stmt *st, const struct cr_row *r)
{
	if (db_bindf(db, st, "ttttttttttttttttttttttttt", r->id,
	    r->first.ar, r->father.ar, r->grandfather.ar, r->family.ar,
	    r->first.en, r->father.en, r->grandfather.en, r->family.en,
	    r->dob, r->sex, r->pob->city_ar, r->pob->city_en,
	    r->home->gov_ar, r->home->gov_en, r->home->city_ar,
	    r->home->city_en, r->street->ar, r->street->en,
	    r->building[0] != '\0' ? r->building : NULL, r->postcode,
	    r->marital, r->status, r->dod[0] != '\0' ? r->dod : NULL,
	    r->mobile[0] != '\0' ? r->mobile : NULL) == -1 ||
	    db_step(db, st) != DB_DONE)
		return -1;
	return db_changes(db) == 1 ? 1 : 0;
}

int
cr_seed(struct db *db, unsigned int count)
{
	sqlite3_stmt	*st = NULL;
	struct cr_row	 row;
	uint64_t	 s = CR_SEED;
	int64_t		 n = -1;
	unsigned int	 done = 0, tries = 0;
	size_t		 i;
	int		 r;

	if (db_query_int64(db, &n, "SELECT count(*) FROM person", "") !=
	    DB_ROW) {
		log_warnx("civil register seed: %s", db_last_error(db));
		return -1;
	}
	if (n > 0)
		return 0;
	if (db_begin(db) == -1 || db_prepare(db, &st,
	    "INSERT OR IGNORE INTO person (national_id,"
	    " first_name_ar, father_name_ar, grandfather_name_ar,"
	    " family_name_ar, first_name_en, father_name_en,"
	    " grandfather_name_en, family_name_en, date_of_birth, sex,"
	    " place_of_birth_ar, place_of_birth_en, governorate_ar,"
	    " governorate_en, city_ar, city_en, street_ar, street_en,"
	    " building, postcode, marital_status, status, date_of_death,"
	    " mobile) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)") == -1)
		goto fail;
	for (i = 0; i < NELEM(cr_demo); i++) {
		cr_from_demo(&cr_demo[i], &row);
		if (cr_insert(db, st, &row) != 1)
			goto fail;
	}
	while (done < count) {
		/* A duplicate ID is drawn again (rare; bounded anyway). */
		if (++tries > count * 2 + 100)
			goto fail;
		cr_generate(&s, &row);
		if ((r = cr_insert(db, st, &row)) == -1)
			goto fail;
		done += (unsigned int)r;
	}
	db_finalize(st);
	st = NULL;
	if (db_commit(db) == -1)
		goto fail;
	log_info("civil register: seeded %zu demo and %u synthetic persons",
	    NELEM(cr_demo), count);
	return 0;
 fail:
	log_warnx("civil register seed: %s", db_last_error(db));
	db_finalize(st);
	(void)db_rollback(db);
	return -1;
}
