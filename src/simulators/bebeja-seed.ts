/**
 * Static data of the Bebeja simulator: the hand-written demo complaints (Kabupaten Pandeglang,
 * Banten, in Bahasa Indonesia) and the pools the numeric seed draws from. All people, phone
 * numbers, e-mail addresses and NIKs are invented; they are only shaped like real ones.
 */

export interface BebejaPelapor {
  nama: string | null;
  no_hp: string | null;
  email: string | null;
  nik: string | null;
}

/** A demo record as written here; the simulator adds `nomor_tiket` and renders `lampiran` as URLs. */
export interface BebejaSeedRecord {
  id: number;
  judul: string;
  isi: string;
  kategori: string;
  kecamatan: string;
  desa: string;
  alamat: string;
  latitude: string | null;
  longitude: string | null;
  /** Local WIB wall time `YYYY-MM-DD HH:mm:ss` as Bebeja stores it. */
  tanggal: string;
  pelapor: BebejaPelapor;
  anonim: '0' | '1';
  rahasia: boolean;
  /** File names served under `/files/`. */
  lampiran: string[];
  status: string;
  /** ISO 8601 with +07:00. */
  updated_at: string;
}

/** Attachment names referenced by demo records but deliberately not served (the bridge must see a 404). */
export const DEMO_MISSING_FILES: readonly string[] = ['atap-kelas-sdn-citereup-2.jpg'];

/** Four records share this updated_at, so keyset paging must break ties by id. */
const TIE = '2024-06-14T10:00:00+07:00';

export const DEMO_RECORDS: readonly BebejaSeedRecord[] = [
  {
    id: 1,
    judul: 'Jalan rusak parah di Jl. Raya Labuan–Carita dekat Desa Caringin',
    isi: 'Jalan di depan SDN Caringin 2 berlubang besar sepanjang kurang lebih 200 meter. Saat hujan lubang tertutup air sehingga pengendara tidak bisa melihatnya, dan minggu ini sudah tiga pengendara motor terjatuh. Anak-anak sekolah juga terpaksa berjalan di bahu jalan yang becek. Mohon Dinas PUPR segera memperbaiki sebelum jatuh korban jiwa.',
    kategori: 'Infrastruktur',
    kecamatan: 'Labuan',
    desa: 'Caringin',
    alamat: 'Jl. Raya Labuan–Carita Km 3, depan SDN Caringin 2',
    latitude: '-6.3542',
    longitude: '105.8467',
    tanggal: '2024-01-08 07:42:15',
    pelapor: { nama: 'Ahmad Fauzi', no_hp: '0812-8765-4321', email: 'ahmad.fauzi87@gmail.com', nik: '3601121203870002' },
    anonim: '0',
    rahasia: false,
    lampiran: ['jalan-caringin-1.jpg', 'jalan-caringin-2.jpg'],
    status: 'Selesai',
    updated_at: '2024-01-10T09:15:00+07:00',
  },
  {
    id: 2,
    judul: 'Air PDAM tidak mengalir sudah seminggu',
    // simple HTML and an entity, as the Bebeja web form stored it
    isi: '<p>Sejak hari Senin tanggal 12 Februari air dari PDAM Tirta Berkah tidak mengalir sama sekali di RT 03/RW 05 Kelurahan Kabayan.</p><p>Kami tetap ditagih penuh setiap bulan &amp; harus membeli air galon untuk memasak dan mandi.<br>Mohon penjelasan dan perbaikan secepatnya.</p>',
    kategori: 'Air Bersih',
    kecamatan: 'Pandeglang',
    desa: 'Kabayan',
    alamat: 'Jl. Kabayan Gg. Mesjid RT 03/RW 05',
    latitude: '-6.3089',
    longitude: '106.1034',
    tanggal: '2024-02-19 18:05:40',
    pelapor: { nama: 'Siti Rohmah', no_hp: '+6281311223344', email: 'siti.rohmah@yahoo.co.id', nik: '3601215405880003' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Diproses',
    updated_at: '2024-02-21T08:30:12+07:00',
  },
  {
    id: 3,
    judul: 'Antrean pengambilan obat di Puskesmas Menes sangat lama',
    isi: 'Hari Kamis kemarin saya mengantar ibu berobat ke Puskesmas Menes. Kami datang pukul 07.30 tetapi baru mendapat obat pukul 13.00 karena loket farmasi hanya dilayani satu petugas. Banyak pasien lansia yang menunggu sambil berdiri karena kursi tidak cukup. Mohon ditambah petugas atau dibuat sistem nomor antrean yang jelas.',
    kategori: 'Kesehatan',
    kecamatan: 'Menes',
    desa: 'Menes',
    alamat: 'Jl. Raya Menes, Kampung Kaduronyok',
    latitude: '-6.3585',
    longitude: '105.9264',
    tanggal: '2024-03-04 10:12:00',
    // anonymous, yet the app still stored who sent it: the bridge must not forward it
    pelapor: { nama: 'Dedi Supriadi', no_hp: '6285712345678', email: null, nik: '3601130907790001' },
    anonim: '1',
    rahasia: false,
    lampiran: [],
    status: 'Diproses',
    updated_at: '2024-03-05T14:20:00+07:00',
  },
  {
    id: 4,
    judul: 'Pungutan uang seragam dan LKS di SMP negeri',
    isi: 'Anak saya baru diterima di salah satu SMP negeri di Kecamatan Saketi. Pihak sekolah meminta uang seragam Rp 1.250.000 dan uang LKS Rp 350.000 yang harus dilunasi sebelum masuk sekolah, tanpa kuitansi resmi. Setahu saya sekolah negeri tidak boleh memungut biaya seperti ini. Mohon identitas saya dirahasiakan karena takut anak saya dipersulit.',
    kategori: 'Pendidikan',
    kecamatan: 'Saketi',
    desa: 'Saketi',
    alamat: 'Kampung Saketi RT 01/RW 02',
    latitude: '-6.4867',
    longitude: '105.9712',
    tanggal: '2024-07-16 20:47:31',
    pelapor: { nama: 'Nurhayati', no_hp: '0821-1234-5678', email: 'nurhayati.skt@gmail.com', nik: '3601145711850004' },
    anonim: '0',
    rahasia: true,
    lampiran: [],
    status: 'Diproses',
    updated_at: '2024-07-18T11:02:45+07:00',
  },
  {
    id: 5,
    judul: 'KTP elektronik belum jadi setelah empat bulan',
    isi: 'Saya melakukan perekaman KTP-el di kantor Kecamatan Cadasari pada bulan Januari 2024. Sampai sekarang sudah empat bulan KTP saya belum juga dicetak, setiap ditanyakan jawabannya blangko habis. Saya membutuhkan KTP untuk melamar pekerjaan dan membuka rekening bank. Mohon kepastian kapan KTP bisa diambil.',
    kategori: 'Administrasi Kependudukan',
    kecamatan: 'Cadasari',
    desa: 'Kaduela',
    alamat: 'Kampung Kaduela RT 04/RW 01',
    latitude: '-6.2574',
    longitude: '106.0689',
    tanggal: '2024-05-06 09:30:00',
    pelapor: { nama: 'Rizky Maulana', no_hp: '081298765432', email: 'rizky.maulana01@gmail.com', nik: '3601222101010005' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Selesai',
    updated_at: '2024-05-08T10:45:00+07:00',
  },
  {
    id: 6,
    judul: 'Sampah menumpuk di pinggir Pantai Carita setelah libur Lebaran',
    isi: '<p>Setelah libur Lebaran, sampah plastik dan sisa makanan menumpuk di sepanjang pantai dekat Desa Sukajadi. Bak sampah yang tersedia sudah penuh dan tidak diangkut lebih dari satu minggu.</p><p>Baunya sangat menyengat dan mengganggu wisatawan maupun warga. Mohon DLH menambah jadwal pengangkutan sampah &amp; menyediakan bak sampah tambahan.</p>',
    kategori: 'Lingkungan Hidup',
    kecamatan: 'Carita',
    desa: 'Sukajadi',
    alamat: 'Jl. Raya Carita, sekitar Pantai Carita',
    latitude: '-6.2985',
    longitude: '105.8341',
    tanggal: '2024-04-17 16:20:05',
    pelapor: { nama: 'Yayan Sopyan', no_hp: '087809876543', email: 'yayan.sopyan@outlook.com', nik: '3601280306920006' },
    anonim: '0',
    rahasia: false,
    lampiran: ['sampah-pantai-carita.png'],
    status: 'Selesai',
    updated_at: '2024-04-19T07:55:30+07:00',
  },
  {
    id: 7,
    judul: 'Nama keluarga kami hilang dari daftar penerima PKH',
    isi: 'Keluarga kami sudah menerima PKH sejak 2019, tetapi pada penyaluran tahap II tahun 2024 nama kami tidak ada lagi di daftar. Kondisi ekonomi kami tidak berubah, suami bekerja sebagai buruh tani harian dan kami punya tiga anak yang masih sekolah. Pendamping PKH di desa tidak bisa menjelaskan alasannya. Mohon dicek kembali data DTKS kami.',
    kategori: 'Bantuan Sosial',
    kecamatan: 'Munjul',
    desa: 'Pasirmae',
    alamat: 'Kampung Pasirmae RT 02/RW 03',
    latitude: '-6.6932',
    longitude: '105.8803',
    tanggal: '2024-06-03 13:14:15',
    pelapor: { nama: 'Eneng Kurniasih', no_hp: '0857-7788-9900', email: null, nik: '3601086208900007' },
    anonim: '0',
    rahasia: true,
    lampiran: [],
    status: 'Diproses',
    updated_at: '2024-06-05T09:00:00+07:00',
  },
  {
    id: 8,
    judul: 'Lampu penerangan jalan mati di Jl. Mayor Widagdo',
    isi: 'Sudah hampir sebulan lampu penerangan jalan umum di Jl. Mayor Widagdo, mulai dari depan alun-alun sampai simpang Pasar Badak, mati semua. Malam hari jalan menjadi sangat gelap dan rawan kejahatan; minggu lalu ada warga yang dijambret di sana. Mohon segera diperbaiki.',
    kategori: 'Infrastruktur',
    kecamatan: 'Pandeglang',
    desa: 'Pandeglang',
    alamat: 'Jl. Mayor Widagdo',
    latitude: '-6.3102',
    longitude: '106.1058',
    tanggal: '2024-02-26 21:03:44',
    pelapor: { nama: 'Hendra Gunawan', no_hp: '+6281112345678', email: 'hendra.g@gmail.com', nik: '3601211511800008' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Selesai',
    updated_at: '2024-02-28T15:40:00+07:00',
  },
  {
    id: 9,
    judul: 'Sumur warga kering, mohon bantuan air bersih',
    isi: 'Musim kemarau tahun ini membuat hampir semua sumur warga di Kampung Cibaro, Desa Sukaseneng, kering sejak awal Agustus. Warga harus berjalan sekitar 2 km ke sungai untuk mencuci dan mandi, sementara air minum dibeli dengan harga Rp 5.000 per jeriken. Mohon BPBD atau PDAM mengirim bantuan air bersih secara rutin.',
    kategori: 'Air Bersih',
    kecamatan: 'Cikeusik',
    desa: 'Sukaseneng',
    alamat: 'Kampung Cibaro RT 05/RW 02',
    latitude: '-6.7601',
    longitude: '105.8934',
    tanggal: '2024-08-12 06:55:00',
    pelapor: { nama: 'Jajang Nurjaman', no_hp: '0838-1234-5678', email: null, nik: '3601040404750009' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Selesai',
    updated_at: '2024-08-13T10:10:10+07:00',
  },
  {
    id: 10,
    judul: 'Ambulans desa rusak, warga kesulitan dirujuk',
    isi: 'Ambulans desa Tamanjaya sudah tiga bulan rusak dan belum diperbaiki. Jarak ke puskesmas terdekat lebih dari 15 km dan ke RSUD Berkah lebih dari 100 km, sehingga warga yang sakit parah harus dibawa memakai mobil bak terbuka. Bersama ini kami lampirkan surat pengantar dari RT. Mohon bantuan perbaikan atau penggantian ambulans.',
    kategori: 'Kesehatan',
    kecamatan: 'Sumur',
    desa: 'Tamanjaya',
    alamat: 'Kampung Tamanjaya RT 01/RW 01',
    latitude: '-6.7496',
    longitude: '105.4958',
    tanggal: '2024-09-02 08:15:27',
    pelapor: { nama: 'Ujang Saepudin', no_hp: '+6285310002000', email: 'ujang.saepudin@gmail.com', nik: '3601011705830010' },
    anonim: '0',
    rahasia: false,
    lampiran: ['surat-pengantar-rt-tamanjaya.pdf'],
    status: 'Diproses',
    updated_at: '2024-09-04T13:30:00+07:00',
  },
  {
    id: 11,
    judul: 'Bau menyengat dari peternakan ayam di Desa Ciputri',
    isi: 'Sejak ada peternakan ayam di belakang permukiman RT 02/RW 01, warga mencium bau kotoran ayam setiap hari.<br>Lalat sangat banyak sampai masuk ke rumah dan warung makan.<br><br>Kami sudah menyampaikan ke pemilik dan kepala desa, tetapi belum ada perubahan. Mohon dicek izin lingkungannya.',
    kategori: 'Lingkungan Hidup',
    kecamatan: 'Kaduhejo',
    desa: 'Ciputri',
    alamat: 'Kampung Ciputri RT 02/RW 01',
    latitude: '-6.3356',
    longitude: '106.0612',
    tanggal: '2024-10-07 11:11:11',
    pelapor: { nama: 'Asep Saepulloh', no_hp: '0819-0011-2233', email: 'asep.s@gmail.com', nik: '3601192802780011' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Baru',
    updated_at: '2024-10-09T09:45:00+07:00',
  },
  {
    id: 12,
    judul: 'Dugaan pungutan liar pembuatan akta kelahiran',
    isi: 'Untuk mengurus akta kelahiran anak, oknum di kantor kelurahan meminta uang Rp 300.000 dengan alasan biaya percepatan. Padahal pelayanan akta kelahiran di Disdukcapil gratis. Beberapa tetangga saya juga mengalami hal yang sama. Mohon ditindak dan identitas saya dirahasiakan.',
    kategori: 'Administrasi Kependudukan',
    kecamatan: 'Majasari',
    desa: 'Cilaja',
    alamat: 'Kelurahan Cilaja',
    latitude: null,
    longitude: null,
    tanggal: '2024-11-11 14:40:00',
    // both anonymous and secret
    pelapor: { nama: 'Ratna Sari', no_hp: '0812-7000-1234', email: 'ratnasari.mjs@gmail.com', nik: '3601346112930012' },
    anonim: '1',
    rahasia: true,
    lampiran: [],
    status: 'Baru',
    updated_at: '2024-11-12T08:20:00+07:00',
  },
  {
    id: 14,
    judul: 'Atap ruang kelas SD ambruk, siswa belajar di teras',
    isi: 'Atap dua ruang kelas di SD Negeri Citereup 1 ambruk akibat hujan deras disertai angin pada minggu lalu. Untung kejadiannya malam hari sehingga tidak ada korban. Sekarang siswa kelas 3 dan 4 terpaksa belajar bergantian di teras dan di mushola. Mohon Dinas Pendidikan segera merehabilitasi bangunan kelas tersebut.',
    kategori: 'Pendidikan',
    kecamatan: 'Panimbang',
    desa: 'Citereup',
    alamat: 'SD Negeri Citereup 1, Jl. Raya Panimbang',
    latitude: '-6.5267',
    longitude: '105.7134',
    tanggal: '2024-01-22 12:00:45',
    pelapor: { nama: 'Iwan Setiawan', no_hp: '+62 812-9988-7766', email: 'iwan.setiawan@sdncitereup.sch.id', nik: '3601060101800013' },
    anonim: '0',
    rahasia: false,
    // the second file is listed in DEMO_MISSING_FILES: its URL answers 404, the bridge drops it with a warning
    lampiran: ['atap-kelas-sdn-citereup.jpg', 'atap-kelas-sdn-citereup-2.jpg'],
    status: 'Diproses',
    updated_at: '2024-01-24T16:05:00+07:00',
  },
  {
    id: 15,
    judul: 'Jembatan gantung penghubung dua kampung putus',
    isi: 'Jembatan gantung yang menghubungkan Kampung Curuglemah dengan kampung di seberang sungai putus terbawa arus saat banjir. Jembatan ini satu-satunya akses warga dan anak sekolah. Sekarang anak-anak harus menyeberang sungai dengan rakit bambu yang sangat berbahaya. Mohon dibangun jembatan darurat secepatnya.',
    kategori: 'Infrastruktur',
    kecamatan: 'Mandalawangi',
    desa: 'Curuglemah',
    alamat: 'Kampung Curuglemah RT 03/RW 04',
    latitude: '-6.3163',
    longitude: '106.0128',
    tanggal: '2024-12-03 07:00:00',
    pelapor: { nama: 'Endang Suhendar', no_hp: '6281398765432', email: null, nik: '3601172310680014' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Baru',
    updated_at: '2024-12-04T10:00:00+07:00',
  },
  {
    id: 16,
    judul: 'Bantuan beras CBP tidak dibagikan merata',
    isi: 'Penyaluran bantuan beras cadangan pangan pemerintah bulan Juni di Desa Bulagor tidak merata. Ada keluarga yang menerima dua karung, sementara banyak warga miskin yang terdaftar tidak menerima sama sekali. Saat ditanyakan, aparat desa menjawab stok habis. Mohon dilakukan pemeriksaan data penerima.',
    kategori: 'Bantuan Sosial',
    kecamatan: 'Pagelaran',
    desa: 'Bulagor',
    alamat: 'Kampung Bulagor RT 01/RW 05',
    latitude: '-6.6142',
    longitude: '105.8911',
    tanggal: '2024-06-12 15:00:00',
    pelapor: { nama: 'Maman Suparman', no_hp: '0813-8181-2020', email: 'maman.suparman@gmail.com', nik: '3601090202660015' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Diproses',
    updated_at: TIE,
  },
  {
    id: 17,
    judul: 'Banjir rob merendam permukiman di Teluk Labuan',
    isi: 'Setiap air laut pasang, permukiman nelayan di Kampung Teluk terendam air rob setinggi 30–50 cm. Tanggul penahan ombak yang dibangun beberapa tahun lalu sudah jebol di beberapa titik. Rumah warga mulai rusak dan sumur tercemar air asin. Mohon dibangun kembali tanggul dan saluran pembuangan air.',
    kategori: 'Lingkungan Hidup',
    kecamatan: 'Labuan',
    desa: 'Teluk',
    alamat: 'Kampung Nelayan Teluk, dekat TPI Labuan',
    latitude: '-6.3801',
    longitude: '105.8227',
    tanggal: '2024-06-11 05:45:00',
    pelapor: { nama: 'Suhaemi', no_hp: '0877-1234-0987', email: null, nik: '3601121508720016' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Diproses',
    updated_at: TIE,
  },
  {
    id: 18,
    judul: 'Kasus DBD meningkat, warga minta fogging',
    isi: 'Dalam dua minggu terakhir ada lima warga RW 04 Kelurahan Saruni yang dirawat karena demam berdarah, satu di antaranya anak balita. Kami sudah kerja bakti membersihkan selokan, tetapi nyamuk masih banyak. Mohon Dinas Kesehatan melakukan fogging dan pemeriksaan jentik di lingkungan kami.',
    kategori: 'Kesehatan',
    kecamatan: 'Majasari',
    desa: 'Saruni',
    alamat: 'Perumahan Saruni Indah RW 04',
    latitude: '-6.3357',
    longitude: '106.1266',
    tanggal: '2024-06-13 19:20:00',
    pelapor: { nama: 'Lilis Suryani', no_hp: '081511223344', email: 'lilis.suryani@gmail.com', nik: '3601344403950017' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Selesai',
    updated_at: TIE,
  },
  {
    id: 19,
    judul: 'Pipa PDAM bocor di Jl. Raya Saketi–Malingping',
    isi: 'Pipa transmisi PDAM di pinggir Jl. Raya Saketi–Malingping dekat Kampung Kadudampit bocor sejak tiga hari lalu. Air menyembur ke jalan sehingga aspal menjadi rusak dan licin, sementara pelanggan di ujung jaringan tidak mendapat air. Mohon petugas segera memperbaiki kebocoran tersebut.',
    kategori: 'Air Bersih',
    kecamatan: 'Saketi',
    desa: 'Kadudampit',
    alamat: 'Jl. Raya Saketi–Malingping, Kampung Kadudampit',
    latitude: '-6.4972',
    longitude: '105.9655',
    tanggal: '2024-06-14 08:02:00',
    pelapor: { nama: 'Agus Salim', no_hp: '+6287812349876', email: 'agus.salim.skt@gmail.com', nik: '3601141112890018' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Selesai',
    updated_at: TIE,
  },
  {
    id: 21,
    // no title: the app made it optional; the bridge generates one from the content (valid, delivered)
    judul: '',
    isi: 'Mohon bantuan, di Kartu Keluarga kami nama anak kedua tertulis "Muhamad Rijal" padahal di akta kelahiran "Muhammad Rizal". Karena beda nama, pendaftaran sekolahnya ditolak. Kami sudah dua kali datang ke Disdukcapil tetapi disuruh kembali membawa surat keterangan desa. Bagaimana prosedur yang benar?',
    kategori: 'Administrasi Kependudukan',
    kecamatan: 'Carita',
    desa: 'Sindanglaut',
    alamat: 'Kampung Sindanglaut RT 02/RW 02',
    latitude: null,
    longitude: null,
    tanggal: '2024-07-01 10:00:00',
    pelapor: { nama: 'Neneng Hasanah', no_hp: '0896-1234-5678', email: null, nik: '3601285007870019' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Selesai',
    updated_at: '2024-07-02T09:00:00+07:00',
  },
  {
    id: 22,
    judul: 'Saluran drainase tersumbat, jalan tergenang setiap hujan',
    isi: '<p>Saluran air di sepanjang Jl. Raya Cimanuk depan pasar tersumbat sampah dan lumpur.<br/>Setiap hujan, air meluap ke jalan dan masuk ke toko-toko warga.</p><p>Mohon dinas terkait melakukan normalisasi saluran &amp; memasang penyaring sampah.</p>',
    kategori: 'Infrastruktur',
    kecamatan: 'Cimanuk',
    desa: 'Kadudodol',
    alamat: 'Jl. Raya Cimanuk, depan Pasar Cimanuk',
    latitude: '-6.3821',
    longitude: '106.0049',
    tanggal: '2024-03-18 17:25:00',
    pelapor: { nama: 'Budi Hartono', no_hp: '0812 2233 4455', email: 'budi.hartono@gmail.com', nik: '3601182904810020' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Selesai',
    updated_at: '2024-03-20T11:00:00+07:00',
  },
  {
    id: 24,
    judul: 'Guru honorer belum menerima insentif selama tiga bulan',
    isi: 'Kami para guru honorer di beberapa SD di Kecamatan Cikeusik belum menerima insentif daerah sejak Juli sampai September 2024. Sebagian dari kami harus meminjam uang untuk ongkos ke sekolah. Mohon kejelasan dari Dinas Pendidikan kapan insentif dibayarkan. Kami minta nama kami tidak dipublikasikan.',
    kategori: 'Pendidikan',
    kecamatan: 'Cikeusik',
    desa: 'Cikeusik',
    alamat: 'Kampung Cikeusik RT 03/RW 01',
    latitude: '-6.7489',
    longitude: '105.9193',
    tanggal: '2024-09-30 20:00:00',
    pelapor: { nama: 'Dewi Lestari', no_hp: '0822-9876-5432', email: 'dewi.lestari.guru@gmail.com', nik: '3601046509910021' },
    anonim: '0',
    rahasia: true,
    lampiran: [],
    status: 'Diproses',
    updated_at: '2024-10-02T08:00:00+07:00',
  },
  {
    id: 25,
    judul: 'Program bedah rumah tidak tepat sasaran',
    isi: 'Rumah nenek saya di Kampung Mekarsari sudah hampir roboh, dinding bilik bambu lapuk dan atap bocor, tetapi tidak pernah mendapat program rumah tidak layak huni. Sebaliknya ada rumah permanen yang justru mendapat bantuan tahun ini. Mohon dilakukan survei ulang penerima program bedah rumah.',
    kategori: 'Bantuan Sosial',
    kecamatan: 'Panimbang',
    desa: 'Mekarsari',
    alamat: 'Kampung Mekarsari RT 06/RW 02',
    latitude: '-6.5418',
    longitude: '105.7302',
    tanggal: '2024-08-20 09:09:09',
    pelapor: { nama: 'Rudi Hidayat', no_hp: '0859-1122-3344', email: 'rudi.hidayat@gmail.com', nik: '3601061006940022' },
    anonim: '1',
    rahasia: false,
    lampiran: ['rumah-mekarsari.jpg'],
    status: 'Baru',
    updated_at: '2024-08-22T14:00:00+07:00',
  },
  {
    id: 27,
    judul: 'Jalan desa Tanagara licin &amp; berlumpur saat hujan',
    isi: 'Jalan desa sepanjang 1,5 km dari Kampung Tanagara ke jalan raya masih berupa tanah merah. Saat hujan jalan menjadi licin &amp; berlumpur sehingga motor sering tergelincir dan hasil panen sulit diangkut. Warga sudah bertahun-tahun mengusulkan pengerasan jalan lewat musrenbang.',
    kategori: 'Infrastruktur',
    kecamatan: 'Cadasari',
    desa: 'Tanagara',
    alamat: 'Kampung Tanagara',
    latitude: '-6.2441',
    longitude: '106.0876',
    tanggal: '2024-11-25 16:16:16',
    pelapor: { nama: 'Kurniawan', no_hp: '0813-2468-1357', email: null, nik: '3601220708850023' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Baru',
    updated_at: '2024-11-27T09:30:00+07:00',
  },
  {
    // id 30 next to id 3: a lookup for "bebeja/3" finds this one too by substring; only an exact Ref: match counts
    id: 30,
    judul: 'Posyandu Alaswangi tidak berjalan karena kekurangan kader',
    isi: 'Posyandu di Kampung Alaswangi sudah tiga bulan tidak buka karena kadernya tinggal satu orang. Ibu-ibu harus membawa balita ke puskesmas yang jauh hanya untuk menimbang dan imunisasi. Mohon puskesmas dan pemerintah desa membantu melatih kader baru.',
    kategori: 'Kesehatan',
    kecamatan: 'Menes',
    desa: 'Alaswangi',
    alamat: 'Kampung Alaswangi RT 01/RW 03',
    latitude: '-6.3612',
    longitude: '105.9388',
    tanggal: '2024-12-16 09:45:00',
    pelapor: { nama: 'Euis Komariah', no_hp: '+6281290001111', email: 'euis.komariah@gmail.com', nik: '3601135203890024' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Baru',
    updated_at: '2024-12-17T13:15:00+07:00',
  },

  // ---- deliberately bad records ----
  {
    // BAD 1: neither title nor content (an empty form sent twice from the app) → quarantined
    id: 31,
    judul: '',
    isi: '',
    kategori: 'Lingkungan Hidup',
    kecamatan: 'Pandeglang',
    desa: 'Kadomas',
    alamat: '',
    latitude: null,
    longitude: null,
    tanggal: '2024-05-20 12:30:00',
    pelapor: { nama: 'Wawan Ramdani', no_hp: '0812-3456-7890', email: 'wawan.ramdani@gmail.com', nik: '3601211010900025' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Baru',
    updated_at: '2024-05-20T12:31:02+07:00',
  },
  {
    // BAD 2: unparseable submission date → delivered; received_at falls back to updated_at, with a warning
    id: 32,
    judul: 'Pohon tumbang menutup jalan di Desa Purwaraja',
    isi: 'Sebuah pohon besar tumbang di Jl. Raya Menes–Jiput dekat Desa Purwaraja setelah hujan angin sore tadi. Batang pohon menutup setengah badan jalan dan kabel listrik ikut tertimpa. Mohon segera dievakuasi karena membahayakan pengendara pada malam hari.',
    kategori: 'Lingkungan Hidup',
    kecamatan: 'Menes',
    desa: 'Purwaraja',
    alamat: 'Jl. Raya Menes–Jiput',
    latitude: '-6.3519',
    longitude: '105.9471',
    tanggal: '31/02/2024 25:61',
    pelapor: { nama: 'Cecep Permana', no_hp: '0813-5566-7788', email: 'cecep.permana@gmail.com', nik: '3601132506830026' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Selesai',
    updated_at: '2024-03-11T18:40:00+07:00',
  },
  {
    // BAD 3: NIK of 20 digits → delivered without the NIK, with a warning
    id: 33,
    judul: 'Tagihan air melonjak tidak wajar',
    isi: 'Tagihan PDAM saya bulan April mencapai Rp 870.000, padahal biasanya hanya sekitar Rp 90.000 per bulan dan tidak ada kebocoran di rumah. Saat saya datang ke kantor cabang Labuan, petugas hanya menyarankan membayar dulu. Mohon meteran air di rumah saya diperiksa ulang.',
    kategori: 'Air Bersih',
    kecamatan: 'Labuan',
    desa: 'Kalanganyar',
    alamat: 'Kampung Kalanganyar RT 02/RW 04',
    latitude: '-6.3756',
    longitude: '105.8412',
    tanggal: '2024-05-03 11:00:00',
    pelapor: { nama: 'Imas Masitoh', no_hp: '0858-1020-3040', email: 'imas.masitoh@gmail.com', nik: '36011256079200270001' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Diproses',
    updated_at: '2024-05-04T09:00:00+07:00',
  },
  {
    // BAD 4: malformed phone number → delivered without the phone, with a warning
    id: 34,
    judul: 'Pasien BPJS diminta membeli obat sendiri di RSUD',
    isi: 'Ayah saya peserta BPJS Kesehatan kelas III. Saat dirawat di RSUD Berkah Pandeglang minggu lalu kami diminta membeli sendiri beberapa obat di apotek luar dengan alasan stok kosong, totalnya hampir Rp 1 juta. Apakah ini sesuai aturan? Mohon penjelasan dan pengembalian biaya.',
    kategori: 'Kesehatan',
    kecamatan: 'Pandeglang',
    desa: 'Kabayan',
    alamat: 'Jl. Raya Labuan No. 12',
    latitude: '-6.3071',
    longitude: '106.0987',
    tanggal: '2024-10-21 19:30:00',
    pelapor: { nama: 'Deden Sulaeman', no_hp: '08-abc', email: 'deden.sulaeman@gmail.com', nik: '3601211203760028' },
    anonim: '0',
    rahasia: false,
    lampiran: [],
    status: 'Diproses',
    updated_at: '2024-10-23T08:45:00+07:00',
  },
];

/** What a bridge run over the demo seed should end with; demo and tests check against this. */
export interface DemoSeedExpectations {
  /** Records served. */
  total: number;
  /** Ids the bridge must quarantine. */
  quarantined: number[];
  /** Ids that must be delivered (total − quarantined). */
  delivered: number[];
  /** Delivered ids that must carry a warning, with the field it concerns. */
  warnings: Record<number, string>;
  /** Ids whose title the bridge must generate from the content. */
  titleFromContent: number[];
  anonymous: number[];
  secret: number[];
  /** Ids sharing one updated_at. */
  tiedUpdatedAt: number[];
}

const QUARANTINED = [31];

export const DEMO_SEED_EXPECTATIONS: DemoSeedExpectations = {
  total: DEMO_RECORDS.length,
  quarantined: QUARANTINED,
  delivered: DEMO_RECORDS.map((r) => r.id).filter((id) => !QUARANTINED.includes(id)),
  warnings: { 14: 'attachments', 32: 'source.received_at', 33: 'reporter.nik', 34: 'reporter.phone' },
  titleFromContent: [21],
  anonymous: DEMO_RECORDS.filter((r) => r.anonim === '1').map((r) => r.id),
  secret: DEMO_RECORDS.filter((r) => r.rahasia).map((r) => r.id),
  tiedUpdatedAt: DEMO_RECORDS.filter((r) => r.updated_at === TIE).map((r) => r.id),
};

// ---- pools for the numeric seed (benchmarks) ----

export interface KecamatanInfo {
  name: string;
  /** The two digits after 36.01 in the Kemendagri code, also used in NIKs. */
  code: string;
  desa: readonly string[];
  lat: number;
  lon: number;
  roads: readonly string[];
}

export const KECAMATAN: readonly KecamatanInfo[] = [
  { name: 'Pandeglang', code: '21', desa: ['Pandeglang', 'Kabayan', 'Kadomas', 'Babakan Kalanganyar'], lat: -6.309, lon: 106.104, roads: ['Jl. Mayor Widagdo', 'Jl. A. Yani', 'Jl. Raya Labuan', 'Jl. Kabayan'] },
  { name: 'Majasari', code: '34', desa: ['Cilaja', 'Saruni', 'Pagerbatu', 'Sukaratu', 'Karaton'], lat: -6.325, lon: 106.119, roads: ['Jl. Raya Serang–Pandeglang', 'Jl. Raya Cilaja'] },
  { name: 'Labuan', code: '12', desa: ['Labuan', 'Teluk', 'Caringin', 'Cigondang', 'Kalanganyar', 'Banyumekar'], lat: -6.379, lon: 105.828, roads: ['Jl. Raya Labuan–Carita', 'Jl. Perintis Kemerdekaan'] },
  { name: 'Carita', code: '28', desa: ['Carita', 'Sukajadi', 'Sukarame', 'Sindanglaut', 'Banjarmasin', 'Cinoyong'], lat: -6.299, lon: 105.834, roads: ['Jl. Raya Carita'] },
  { name: 'Menes', code: '13', desa: ['Menes', 'Alaswangi', 'Kananga', 'Purwaraja', 'Tegalwangi'], lat: -6.358, lon: 105.926, roads: ['Jl. Raya Menes', 'Jl. Raya Menes–Jiput'] },
  { name: 'Saketi', code: '14', desa: ['Saketi', 'Kadudampit', 'Sodong', 'Langensari', 'Majau'], lat: -6.487, lon: 105.971, roads: ['Jl. Raya Saketi–Malingping', 'Jl. Raya Saketi'] },
  { name: 'Cadasari', code: '22', desa: ['Cadasari', 'Kaduela', 'Tanagara', 'Tapos', 'Koranji'], lat: -6.257, lon: 106.069, roads: ['Jl. Raya Cadasari', 'Jl. Raya Serang–Pandeglang'] },
  { name: 'Kaduhejo', code: '19', desa: ['Ciputri', 'Palurahan', 'Banjarwangi', 'Sukasari'], lat: -6.336, lon: 106.061, roads: ['Jl. Raya Kaduhejo'] },
  { name: 'Panimbang', code: '06', desa: ['Panimbangjaya', 'Citereup', 'Mekarsari', 'Tanjungjaya', 'Gombong'], lat: -6.527, lon: 105.713, roads: ['Jl. Raya Panimbang', 'Jl. Raya Tanjung Lesung'] },
  { name: 'Sumur', code: '01', desa: ['Sumberjaya', 'Tamanjaya', 'Ujungjaya', 'Kertamukti', 'Cigorondong'], lat: -6.650, lon: 105.585, roads: ['Jl. Raya Sumur'] },
  { name: 'Cikeusik', code: '04', desa: ['Cikeusik', 'Sukaseneng', 'Umbulan', 'Parungkokosan'], lat: -6.749, lon: 105.919, roads: ['Jl. Raya Cikeusik', 'Jl. Raya Cikeusik–Malingping'] },
  { name: 'Munjul', code: '08', desa: ['Munjul', 'Pasirmae', 'Cabangbungin', 'Sukasaba'], lat: -6.693, lon: 105.880, roads: ['Jl. Raya Munjul'] },
  { name: 'Pagelaran', code: '09', desa: ['Pagelaran', 'Bulagor', 'Sukadame'], lat: -6.614, lon: 105.891, roads: ['Jl. Raya Pagelaran'] },
  { name: 'Cimanuk', code: '18', desa: ['Cimanuk', 'Kadudodol', 'Dalembalar', 'Kupahandap'], lat: -6.382, lon: 106.005, roads: ['Jl. Raya Cimanuk'] },
  { name: 'Mandalawangi', code: '17', desa: ['Mandalawangi', 'Curuglemah', 'Panjangjaya', 'Giripawana'], lat: -6.316, lon: 106.013, roads: ['Jl. Raya Mandalawangi'] },
];

export const KATEGORI: readonly string[] = ['Infrastruktur', 'Kesehatan', 'Pendidikan', 'Administrasi Kependudukan', 'Lingkungan Hidup', 'Bantuan Sosial', 'Air Bersih'];

/** Title and content templates per category; {desa}, {kecamatan}, {jalan}, {n} are filled in. */
export const TEMPLATES: Readonly<Record<string, readonly { judul: string; isi: string }[]>> = {
  Infrastruktur: [
    { judul: 'Jalan berlubang di {jalan}', isi: 'Jalan di {jalan} dekat Desa {desa} berlubang di {n} titik. Saat hujan lubang tergenang air dan membahayakan pengendara motor. Mohon segera ditambal sebelum ada korban.' },
    { judul: 'Lampu jalan mati di Desa {desa}', isi: 'Lampu penerangan jalan di sekitar Desa {desa}, Kecamatan {kecamatan}, sudah {n} minggu mati. Malam hari jalan sangat gelap. Mohon diperbaiki.' },
    { judul: 'Saluran air tersumbat di {jalan}', isi: '<p>Saluran drainase di {jalan} tersumbat sampah.</p><p>Setiap hujan air meluap ke jalan &amp; rumah warga. Mohon dinormalisasi.</p>' },
  ],
  Kesehatan: [
    { judul: 'Pelayanan Puskesmas {kecamatan} lambat', isi: 'Pasien di Puskesmas {kecamatan} harus menunggu lebih dari {n} jam untuk dilayani. Mohon ditambah petugas pendaftaran dan farmasi.' },
    { judul: 'Posyandu Desa {desa} jarang buka', isi: 'Posyandu di Desa {desa} hanya buka sekali dalam {n} bulan terakhir. Balita tidak mendapat penimbangan dan imunisasi rutin. Mohon perhatian puskesmas.' },
    { judul: 'Warga Desa {desa} terserang DBD', isi: 'Sudah {n} warga Desa {desa} dirawat karena demam berdarah bulan ini. Mohon dilakukan fogging dan pemeriksaan jentik.' },
  ],
  Pendidikan: [
    { judul: 'Ruang kelas rusak di SD Desa {desa}', isi: 'Atap {n} ruang kelas SD di Desa {desa} bocor dan plafonnya hampir jatuh. Siswa belajar dengan rasa takut. Mohon segera direhabilitasi.' },
    { judul: 'Pungutan biaya di sekolah negeri Kecamatan {kecamatan}', isi: 'Orang tua siswa diminta membayar Rp {n}00.000 untuk kegiatan sekolah tanpa rincian. Mohon diperiksa karena sekolah negeri tidak boleh memungut biaya.' },
    { judul: 'Guru honorer Kecamatan {kecamatan} belum dibayar', isi: 'Insentif guru honorer di Kecamatan {kecamatan} belum dibayarkan selama {n} bulan. Mohon kejelasan dari Dinas Pendidikan.' },
  ],
  'Administrasi Kependudukan': [
    { judul: 'KTP-el belum dicetak', isi: 'Saya sudah merekam KTP-el {n} bulan yang lalu di Kecamatan {kecamatan} tetapi belum juga dicetak. Mohon kepastian waktu pencetakan.' },
    { judul: 'Kesalahan data di Kartu Keluarga', isi: 'Tanggal lahir anak saya di Kartu Keluarga tidak sesuai dengan akta kelahiran. Sudah {n} kali mengurus ke Disdukcapil tetapi belum diperbaiki.' },
    { judul: 'Pengurusan akta kelahiran dipungut biaya', isi: 'Warga Desa {desa} diminta membayar untuk pengurusan akta kelahiran. Bukankah layanan ini gratis? Mohon ditindaklanjuti.' },
  ],
  'Lingkungan Hidup': [
    { judul: 'Sampah menumpuk di Desa {desa}', isi: 'Sampah di TPS Desa {desa} tidak diangkut selama {n} hari. Baunya menyengat dan banyak lalat. Mohon jadwal pengangkutan diperbaiki.' },
    { judul: 'Pencemaran sungai di Kecamatan {kecamatan}', isi: 'Air sungai di dekat Desa {desa} berubah warna dan berbau. Diduga ada pembuangan limbah. Mohon diperiksa oleh DLH.' },
    { judul: 'Pohon rawan tumbang di {jalan}', isi: 'Ada {n} pohon besar yang miring di pinggir {jalan} dan rawan tumbang saat hujan angin. Mohon dipangkas.' },
  ],
  'Bantuan Sosial': [
    { judul: 'Bantuan sosial tidak tepat sasaran di Desa {desa}', isi: 'Beberapa keluarga mampu di Desa {desa} menerima bantuan, sementara {n} keluarga miskin tidak terdaftar. Mohon pendataan ulang.' },
    { judul: 'Penyaluran BLT Desa {desa} terlambat', isi: 'BLT Dana Desa untuk bulan ini belum disalurkan di Desa {desa}, sudah terlambat {n} minggu. Mohon kejelasan.' },
    { judul: 'Rumah tidak layak huni belum dibantu', isi: 'Ada rumah warga di Desa {desa} yang hampir roboh tetapi belum pernah mendapat program bedah rumah. Mohon disurvei.' },
  ],
  'Air Bersih': [
    { judul: 'Air PDAM mati di Desa {desa}', isi: 'Air PDAM di Desa {desa} tidak mengalir selama {n} hari. Warga harus membeli air galon. Mohon segera diperbaiki.' },
    { judul: 'Pipa bocor di {jalan}', isi: 'Pipa air di {jalan} bocor dan airnya terbuang ke jalan sejak {n} hari lalu. Mohon ditangani.' },
    { judul: 'Kekeringan di Desa {desa}', isi: 'Sumur warga di Desa {desa} kering akibat kemarau. Mohon bantuan distribusi air bersih.' },
  ],
};

export const FIRST_NAMES_MALE: readonly string[] = ['Ahmad', 'Asep', 'Dedi', 'Jajang', 'Ujang', 'Dadang', 'Endang', 'Iwan', 'Rudi', 'Agus', 'Hendra', 'Maman', 'Cecep', 'Yayan', 'Deden', 'Wawan', 'Ade', 'Encep', 'Mulyadi', 'Rizky'];
export const FIRST_NAMES_FEMALE: readonly string[] = ['Siti', 'Euis', 'Neneng', 'Lilis', 'Ratna', 'Dewi', 'Eneng', 'Nurhayati', 'Yeni', 'Imas', 'Titin', 'Iis', 'Entin', 'Rina', 'Nia', 'Aisyah', 'Fitri'];
export const LAST_NAMES: readonly string[] = ['Supriadi', 'Saepudin', 'Hidayat', 'Suhendar', 'Kurniawan', 'Setiawan', 'Maulana', 'Hasanah', 'Komariah', 'Rohmah', 'Suryani', 'Lestari', 'Nurjaman', 'Sopyan', 'Gunawan', 'Permana', 'Ramdani', 'Fauzi', 'Hakim', 'Sulaeman'];
/** Valid Indonesian mobile prefixes (after the leading 0). */
export const MOBILE_PREFIXES: readonly string[] = ['811', '812', '813', '821', '822', '852', '853', '857', '858', '877', '878', '819', '859', '838', '896'];
export const EMAIL_DOMAINS: readonly string[] = ['gmail.com', 'yahoo.co.id', 'yahoo.com', 'outlook.com'];
export const STATUSES: readonly string[] = ['Baru', 'Diproses', 'Selesai'];
