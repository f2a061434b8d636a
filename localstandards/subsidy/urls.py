app_name = "subsidy"
urlpatterns: list = []
