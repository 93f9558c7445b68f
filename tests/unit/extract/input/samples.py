"""Small documents in each format, written the way real ones are."""

from __future__ import annotations

HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Summit</title><link rel="canonical" href="https://example.org/summit"></head>
<body>
<h1>2012 Nuclear Security Summit</h1>
<p>The summit was held in <a href="https://en.wikipedia.org/wiki/Seoul">Seoul</a>.</p>
<blockquote cite="https://www.nytimes.com/2010/04/14/world/14summit.html">Quoted words.</blockquote>
</body>
</html>
"""

HTML_FRAGMENT = """<div class="references">
<p>See <a href="https://www.cfr.org/south-korea/p27660">the CFR paper</a> and
<a href="http://www.nbr.org/publications/element.aspx?id=593">the NBR essay</a>.</p>
<ul><li><a href="https://example.org/a">A</a></li><li><a href="https://example.org/b">B</a></li></ul>
</div>
"""

XHTML_PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><body><p><a href="http://example.org/">x</a></p></body></html>
"""

WIKITEXT = """'''2012 Nuclear Security Summit''' was held in [[Seoul]].<ref name="nyt">{{cite news
|url=http://www.nytimes.com/2010/04/14/world/14summit.html |title=Obama Vows Fresh Proliferation Push
|access-date=26 March 2012}}</ref> It followed the [[2010 Nuclear Security Summit]].<ref name="nyt" />

== References ==
{{reflist}}

== External links ==
* [http://www.nbr.org/publications/element.aspx?id=593 After the Summit]
"""

WIKITEXT_REFS_ONLY = """The summit ended with a communiqué.<ref>Seoul Communiqué, 27 March 2012.</ref>
Leaders met again in 2014.<ref name="hague">[http://example.org/hague The Hague summit]</ref>
<references />
"""

MARKDOWN_README = """<p align="center"><img src="docs/logo.png" width="120"></p>

# verifier

Checks every link in [your documents](https://example.org/docs) and reports the dead ones.

## Install

```sh
pip install verifier
```

- [Changelog](CHANGELOG.md)
- [Issues](https://github.com/example/verifier/issues)
"""

MARKDOWN_FOOTNOTES = """An essay with a claim.[^1] And another one.[^note]

[^1]: Smith, *Results*, 2011.
[^note]: See <https://example.org/note>.
"""

MARKDOWN_REFERENCE_STYLE = """Read the [guide][g] and the [FAQ][].

[g]: https://example.org/guide
[FAQ]: https://example.org/faq "Questions"
"""

PDF_TEXT = """核安全峰会的现状与问题

从广义上来说，核安全是指客观上免于遭受核威胁、主观上消除核恐惧的状态。
①
从这一定义来看，核安全的内涵非常广泛。[1]

- 第一，加强核材料的安全保障；
- 第二，打击核走私。

① 王仲春：《核武器 核国家 核战略》，时事出版社，2007 年版，第 5 页。
② http://www.fmprc.gov.cn/mfa_chn/ziliao_611306/1179_611310/t920427.shtml.
[1] "Obama Vows Fresh Proliferation Push as Summit Ends", http://www.nytimes.com/2010/04/
14/world/14summit.html.
"""

PLAIN_EMAIL = """Hi all,

The minutes are at http://example.org/minutes (see section 3). Next meeting: 3 March.
* Agenda: budget
* Agenda: travel

Regards,
Kim
"""

MARKDOWN_WITH_HTML_TABLE = (
    """# Mirrors

Download from [the main site](https://example.org/download) or a mirror below.

"""
    + "<table>\n<tr><th>Region</th><th>Mirror</th></tr>\n"
    + "".join(
        f'<tr><td><span class="region">Region {n}</span></td><td><a href="https://m{n}.example.org/">m{n}</a></td></tr>\n'
        for n in range(12)
    )
    + "</table>\n\n## Licence\n\nSee [LICENSE](LICENSE).\n"
)

WIKITEXT_WITH_HTML = (
    '{| class="wikitable"\n|-\n! Year !! Host\n|}\n'
    + '<div class="box"><span>Note</span></div>\n' * 10
    + "The 2012 summit.<ref>{{cite web |url=http://example.org/a |title=A}}</ref>\n"
)
