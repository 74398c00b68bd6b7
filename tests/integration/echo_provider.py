#!/usr/bin/env python3
"""echo_provider.py PORT DIR: a test-only provider information system for
test_exchange.sh. It answers X-Road SOAP requests with attachments
(multipart/related): each attachment is saved as DIR/att-N and sent back
in the response; the response copies the request's SOAP header and says
how many attachments came. Listens on 127.0.0.1 only."""
import email
import email.policy
import http.server
import os
import sys

PORT, DIR = int(sys.argv[1]), sys.argv[2]


class Echo(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ctype = self.headers["Content-Type"]
        msg = email.message_from_bytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body,
            policy=email.policy.HTTP)
        parts = list(msg.iter_parts()) if msg.is_multipart() else [msg]
        soap = parts[0].get_payload(decode=True).decode("utf-8")
        atts = parts[1:]
        for i, p in enumerate(atts):
            with open(os.path.join(DIR, "att-%d" % i), "wb") as f:
                f.write(p.get_payload(decode=True))
        start = soap.index("<SOAP-ENV:Body>") + len("<SOAP-ENV:Body>")
        end = soap.index("</SOAP-ENV:Body>")
        soap = (soap[:start] + "<cr:echoResponse><cr:count>%d</cr:count>"
                "</cr:echoResponse>" % len(atts) + soap[end:])
        b = "echoXboundary"
        out = (b"--" + b.encode() + b"\r\nContent-Type: text/xml; "
               b"charset=UTF-8\r\n\r\n" + soap.encode("utf-8"))
        for p in atts:
            out += (b"\r\n--" + b.encode() + b"\r\nContent-Type: " +
                    p["Content-Type"].encode() + b"\r\n")
            if p["Content-ID"]:
                out += b"Content-ID: " + p["Content-ID"].encode() + b"\r\n"
            out += b"\r\n" + p.get_payload(decode=True)
        out += b"\r\n--" + b.encode() + b"--\r\n"
        self.send_response(200)
        self.send_header("Content-Type", 'multipart/related; '
                         'type="text/xml"; boundary=' + b)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, fmt, *args):
        sys.stderr.write("echo_provider: " + (fmt % args) + "\n")


http.server.HTTPServer(("127.0.0.1", PORT), Echo).serve_forever()
