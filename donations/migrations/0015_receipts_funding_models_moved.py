from django.db import migrations

# Receipts and the funding figures became their own apps (donations.receipts, label "receipts";
# donations.funding, label "funding"). Their tables stay where they are: this only removes the
# models from the donations app's state; receipts/0001 and funding/0001 take them over, rename
# the tables and move the content types (so permissions, group grants and log entries follow).


class Migration(migrations.Migration):

    dependencies = [
        ("donations", "0014_goods_models_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ReceiptLog"),
                migrations.DeleteModel(name="Receipt"),
                migrations.DeleteModel(name="ReceiptBatch"),
                migrations.DeleteModel(name="ReceiptCounter"),
                migrations.DeleteModel(name="GrantIncome"),
                migrations.DeleteModel(name="FundingSettings"),
            ],
            database_operations=[],
        ),
    ]
