"""Template filters and tags for the public site's text (see ouendan.core.text):
``{{ page.title|phrases }}`` (BudouX <wbr> between Japanese phrases),
``{% phrase_breaks %}…{% end_phrase_breaks %}`` (the same in every heading, label and legend of
the enclosed HTML; base.html wraps the page in it), ``{{ day|public_date }}``,
``{{ moment|public_datetime }}``."""

from django import template

from .. import text

register = template.Library()

register.filter("phrases", text.phrase_breaks, is_safe=True)
register.filter("public_date", text.public_date, expects_localtime=False)
register.filter("public_datetime", text.public_datetime, expects_localtime=False)


class PhraseBreaksNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return text.phrase_breaks_html(self.nodelist.render(context))


@register.tag("phrase_breaks")
def phrase_breaks_tag(parser, token):
    nodelist = parser.parse(("end_phrase_breaks",))
    parser.delete_first_token()
    return PhraseBreaksNode(nodelist)
