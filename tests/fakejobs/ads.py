"""Short ads written for these tests (never copied from the data sets)."""

RISKY_EN = (
    "Urgent hiring! Young women wanted as hostesses in clubs abroad. Free flights and free "
    "accommodation. No experience needed. We keep your passport for safety. Contact us on WhatsApp."
)
RISKY_ES = (
    "Se buscan chicas jóvenes para trabajar de azafatas en clubes en el extranjero. Billetes pagados, "
    "alojamiento gratis y sin experiencia. Al llegar guardamos tu pasaporte. Escríbenos por WhatsApp."
)
NEUTRAL_EN = (
    "Our accounting firm is looking for an assistant for its office in Leeds. You will prepare monthly "
    "reports and reconcile invoices with the finance team. Apply through the form on our website "
    "www.example-accounting.co.uk."
)
NEUTRAL_ES = (
    "Nuestra gestoría busca un auxiliar administrativo para su oficina de Valencia. Prepararás informes "
    "mensuales y conciliarás facturas con el equipo de finanzas. Envía tu solicitud desde el formulario "
    "de www.gestoria-ejemplo.es."
)
DEVELOPER_EN = (
    "We are looking for a senior Python developer to join our data platform team in Berlin. You will "
    "design APIs, review code and mentor junior engineers. Hybrid work, 30 days of holiday."
)
