"""Personal data and secrets: detection, redaction and the PII stage.

Why code here: tldextract builds a module-level extractor when it is first imported
(Presidio's e-mail recognizer imports it) and that extractor would download the
public-suffix list on first use. Emptying its URL list before any module of this
package imports Presidio keeps every PII module offline, whichever is imported first.
"""

import os

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
