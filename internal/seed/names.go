package seed

// Word lists for the ordinary customers. The last names leave out Doe, Smith,
// Lee and Brown, the last names of the scenario customers, so that no ordinary
// customer can be mistaken for one of them.

var firstNames = []string{
	"Aaron", "Abigail", "Adrian", "Aisha", "Amelia", "Andre", "Angela", "Ben",
	"Bianca", "Brandon", "Caleb", "Carla", "Carmen", "Chloe", "Daniel", "Darius",
	"Diana", "Dylan", "Elena", "Elijah", "Emily", "Ethan", "Fatima", "Felix",
	"Fiona", "Gabriel", "Grace", "Hannah", "Hector", "Imani", "Isaac", "Isabel",
	"Jamal", "Jasmine", "Javier", "Julia", "Kai", "Karen", "Keisha", "Kevin",
	"Laura", "Leo", "Lily", "Lucas", "Maya", "Mei", "Miguel", "Nadia",
	"Nathan", "Nina", "Noah", "Olivia", "Omar", "Paula", "Priya", "Quinn",
	"Rachel", "Rafael", "Rosa", "Ryan", "Samuel", "Sofia", "Tariq", "Tessa",
	"Victor", "Vivian", "Wei", "Yara", "Yusuf", "Zoe",
}

var lastNames = []string{
	"Adams", "Alvarez", "Anderson", "Baker", "Bennett", "Campbell", "Carter", "Chen",
	"Clark", "Collins", "Cruz", "Davis", "Diaz", "Edwards", "Evans", "Fischer",
	"Flores", "Garcia", "Gomez", "Green", "Hall", "Harris", "Hernandez", "Hill",
	"Hughes", "Jackson", "Johnson", "Kim", "King", "Kowalski", "Lopez", "Martin",
	"Martinez", "Miller", "Mitchell", "Moore", "Morgan", "Murphy", "Nakamura", "Nelson",
	"Nguyen", "Okafor", "Parker", "Patel", "Perez", "Phillips", "Ramirez", "Reed",
	"Reyes", "Rivera", "Roberts", "Robinson", "Rodriguez", "Sanchez", "Scott", "Shah",
	"Singh", "Stewart", "Sullivan", "Taylor", "Thomas", "Thompson", "Torres", "Turner",
	"Walker", "Wang", "Watson", "White", "Williams", "Wilson", "Wright", "Young",
}

var streetNames = []string{
	"Maple", "Oak", "Cedar", "Pine", "Elm", "Birch", "Lakeview", "Hillside",
	"Sunset", "River", "Madison", "Jefferson", "Union", "Harbor", "Meadow", "Park",
	"Forest", "Spring", "Willow", "Summit", "Highland", "Orchard", "Chestnut", "Aspen",
}

var streetSuffixes = []string{"St", "Ave", "Blvd", "Rd", "Ln", "Dr", "Way", "Ct", "Pl"}

type city struct {
	name, state, zipPrefix, areaCode string
}

var cities = []city{
	{"Seattle", "WA", "981", "206"},
	{"Bellevue", "WA", "980", "425"},
	{"Redmond", "WA", "980", "425"},
	{"Tacoma", "WA", "984", "253"},
	{"Spokane", "WA", "992", "509"},
	{"Olympia", "WA", "985", "360"},
	{"Portland", "OR", "972", "503"},
	{"Eugene", "OR", "974", "541"},
	{"Boise", "ID", "837", "208"},
	{"San Francisco", "CA", "941", "415"},
	{"Oakland", "CA", "946", "510"},
	{"San Jose", "CA", "951", "408"},
	{"Sacramento", "CA", "958", "916"},
	{"Denver", "CO", "802", "303"},
	{"Phoenix", "AZ", "850", "602"},
	{"Salt Lake City", "UT", "841", "801"},
	{"Austin", "TX", "787", "512"},
	{"Chicago", "IL", "606", "312"},
	{"Minneapolis", "MN", "554", "612"},
	{"Boston", "MA", "021", "617"},
}

// csAgents are the support agents tickets are assigned to.
var csAgents = []string{
	"Priya Raman", "Marcus Webb", "Elena Petrova", "Jordan Hayes", "Aiko Tanaka",
	"Samuel Okoro", "Lucia Fernandez", "Derek Olsen", "Fatou Diallo", "Ming Zhao",
}
