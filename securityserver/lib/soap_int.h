/*
 * soap_int.h: what soap.c and soap_build.c share. Not for other modules.
 */
#ifndef HK_SOAP_INT_H
#define HK_SOAP_INT_H

#include <libxml/tree.h>

#include "soap.h"

struct soap_msg {
	xmlDoc		*sm_doc;
	unsigned char	*sm_raw;
	size_t		 sm_rawlen;
	enum soap_kind	 sm_kind;
	int		 sm_fault;
	struct xrid	 sm_client;
	struct xrid	 sm_service;
	struct xrid	 sm_server;
	int		 sm_has_client;
	int		 sm_has_service;
	int		 sm_has_server;
	char		*sm_id;
	char		*sm_user_id;
	char		*sm_issue;
	char		*sm_version;
	int		 sm_has_repr;
	char		*sm_repr_class;
	char		*sm_repr_code;
	char		*sm_hash;
	char		*sm_hash_algo;
	xmlNode		*sm_header;
	xmlNode		*sm_body;
	xmlNode		*sm_wrapper;
	char		*sm_fault_code;
	char		*sm_fault_string;
	char		*sm_fault_detail;
};

/* n is an element named name in namespace href. */
int	soap_is_elem(const xmlNode *n, const char *href, const char *name);

#endif /* HK_SOAP_INT_H */
