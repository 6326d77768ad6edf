from django.urls import path

from steward.pricing import views

app_name = "pricing"
urlpatterns = [
    path("contracts/<int:pk>/", views.contract_pricing, name="contract"),
    path("contracts/<int:pk>/rate/", views.rate_create, name="rate_create"),
    path("contracts/<int:pk>/fee/", views.fee_set, name="fee_set"),
    path("contracts/<int:pk>/payments/", views.payment_create, name="payment_create"),
    path("contracts/<int:pk>/attachments/", views.attachment_update, name="attachment_update"),
    path("contracts/<int:pk>/limits/", views.limits_update, name="limits_update"),
    path(
        "contracts/<int:pk>/consultations/", views.consultation_create, name="consultation_create"
    ),
    path("bill-out/", views.bill_out_list, name="bill_out"),
    path("rate-calculations.xlsx", views.rate_export, name="export"),
]
