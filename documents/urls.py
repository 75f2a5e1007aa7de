# Documents have no pages of their own yet: officers will see them in a tenancy's timeline.
app_name = "documents"

urlpatterns = []
