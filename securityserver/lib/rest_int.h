/*
 * rest_int.h: what rest.c and rest_resp.c share. Not for other modules.
 */
#ifndef HK_REST_INT_H
#define HK_REST_INT_H

#include <stddef.h>

#include "rest.h"

struct buf;
struct xr_err;

struct rest_hdr {
	char	*name;
	char	*value;
};

struct hdr_list {
	struct rest_hdr	*hl_v;
	size_t		 hl_n;
};

struct rest_req {
	char		*rq_method;
	char		*rq_path;
	char		*rq_query;
	char		*rq_service_path;
	struct xrid	 rq_service;
	struct xrid	 rq_client;
	struct xrid	 rq_server;
	int		 rq_has_server;
	char		*rq_id;
	char		*rq_user_id;
	char		*rq_issue;
	char		*rq_request_id;
	int		 rq_has_repr;
	char		*rq_repr_class;
	char		*rq_repr_code;
	struct hdr_list	 rq_hdrs;
};

void		 rest_hdrs_free(struct hdr_list *);
int		 rest_hdrs_add(struct hdr_list *, const char *name, size_t nlen,
		    const char *value, size_t vlen);
const char	*rest_hdrs_get(const struct hdr_list *, const char *name);
int		 rest_hdrs_serialize(const struct hdr_list *, struct buf *);
int		 rest_name_ok(const char *);
int		 rest_value_ok(const char *, size_t);
int		 rest_named_in_connection(const struct rest_header *, size_t,
		    const char *name);
int		 rest_next_line(const char **pp, const char *end,
		    const char **line, size_t *len);
int		 rest_parse_head_headers(const char *p, const char *end,
		    struct hdr_list *, struct xr_err *);

#endif /* HK_REST_INT_H */
