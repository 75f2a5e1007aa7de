app_name = "direct_debits"

urlpatterns = []
