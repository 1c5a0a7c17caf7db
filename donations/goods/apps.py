from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoodsConfig(AppConfig):
    name = "donations.goods"
    label = "goods"
    verbose_name = _("Goods")

    def ready(self):
        # In ready(): these modules import models, which cannot load before the app registry.
        from members.merge import merge_register
        from members.privacy import privacy_register

        from .merge import goods_merge_move
        from .privacy import supporter_goods_anonymise, supporter_goods_export

        privacy_register(export=supporter_goods_export, anonymise=supporter_goods_anonymise)
        merge_register(move=goods_merge_move)

        # What this app's outbox mail is for (ouendan.core names no upper app).
        from .outbox_purposes import register as outbox_purposes_register

        outbox_purposes_register()
