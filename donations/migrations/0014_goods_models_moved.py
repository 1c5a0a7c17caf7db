"""The in-kind goods models moved to their own app, donations.goods (label "goods").

State only: the tables stay and are renamed by goods 0001, which also moves their content
types (and so every permission and group grant) to the new app label.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0013_stripe_event_waiting_checkout_donor_effects"),
        ("goods", "0001_initial"),
        # The campaigns' goods goals point at goods.WishlistItem before this one is forgotten.
        ("campaigns", "0005_goods_goal_wishlist_item_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveField(
                model_name='delivery',
                name='pledge',
            ),
            migrations.RemoveField(
                model_name='delivery',
                name='recorded_by',
            ),
            migrations.RemoveField(
                model_name='deliveryline',
                name='delivery',
            ),
            migrations.RemoveField(
                model_name='expecteddelivery',
                name='delivery',
            ),
            migrations.RemoveField(
                model_name='deliveryline',
                name='pledge_line',
            ),
            migrations.RemoveField(
                model_name='deliveryline',
                name='wishlist_item',
            ),
            migrations.RemoveField(
                model_name='expecteddelivery',
                name='pledge',
            ),
            migrations.RemoveField(
                model_name='pledge',
                name='campaign',
            ),
            migrations.RemoveField(
                model_name='pledge',
                name='state_changed_by',
            ),
            migrations.RemoveField(
                model_name='pledge',
                name='supporter',
            ),
            migrations.RemoveField(
                model_name='pledgeline',
                name='pledge',
            ),
            migrations.RemoveField(
                model_name='pledgeline',
                name='wishlist_item',
            ),
            migrations.RemoveField(
                model_name='pledgepage',
                name='page_ptr',
            ),
            migrations.RemoveField(
                model_name='pledgepage',
                name='privacy_page',
            ),
            migrations.DeleteModel(
                name='CorporateWallEntry',
            ),
            migrations.DeleteModel(
                name='Delivery',
            ),
            migrations.DeleteModel(
                name='DeliveryLine',
            ),
            migrations.DeleteModel(
                name='ExpectedDelivery',
            ),
            migrations.DeleteModel(
                name='Pledge',
            ),
            migrations.DeleteModel(
                name='PledgeLine',
            ),
            migrations.DeleteModel(
                name='WishlistItem',
            ),
            migrations.DeleteModel(
                name='PledgePage',
            ),
            ],
            database_operations=[],
        ),
    ]
